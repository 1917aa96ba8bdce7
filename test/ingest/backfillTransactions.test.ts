import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  seededTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { captureLogger } from './support/captureLogger.ts';
import {
  canonicalLogIds,
  demoContractEntries,
  ingestConfig,
  netConfirmedIds,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 2;

describe('ingest backfill transactions', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let ingest: Ingest | undefined;
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    const target = { publicClient: chain.publicClient, wallets: chain.walletClients.slice(1, 5), contracts };
    // Traffic spread over ~250 blocks, all below the realtime window: read one block per range, the
    // backfill commits dozens of transactions back to back.
    for (let i = 0; i < 5; i++) {
      await seededTraffic(target, 12, 1 + i);
      await mine(chain.testClient, 30);
    }
    await mine(chain.testClient, 100);
  });

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  it('commits back-to-back backfill transactions without a transaction error in the log', {
    timeout: 180_000,
  }, async () => {
    const prefix = randomId('ingest-bftx');
    const topics = topicNames(prefix);
    const head = Number(await chain.publicClient.getBlockNumber());
    // Log lines of the ingestor and of its kafkajs client, which logs through it.
    const logs = captureLogger('debug');
    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: chain.rpcHttp,
        chainId: chain.chainId,
        contracts: demoContractEntries(contracts),
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
        maxBlockRange: 1,
        // One event per record, as for processors that read only v1 during an upgrade.
        eventsPerRecord: 1,
      }),
      logger: logs.logger,
    });
    await ingest.start();
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 150_000);
    await ingest.stop();
    ingest = undefined;

    const records = await readCommittedEvents(kafka, topics.confirmed);
    // kafka.eventsPerRecord: 1 writes every event as its own v1 message.
    expect(records.every((record) => record.recordEvents === 1)).toBe(true);
    const { ids, duplicates } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    const addresses = [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
    expect(ids).toEqual(
      await canonicalLogIds(chain.publicClient, chain.chainId, addresses, BigInt(head - confirmations)),
    );
    const concurrent = logs.lines.filter((line) =>
      /concurrent|CONCURRENT_TRANSACTIONS/i.test(JSON.stringify(line)),
    );
    // The coordinator's answer may still come and be retried; it is no warning and no error.
    console.log(`[ingest backfill] CONCURRENT_TRANSACTIONS answers retried: ${concurrent.length / 2}`);
    expect(concurrent.filter((line) => Number(line.level) >= 40)).toEqual([]);
  });
});
