import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  replaceSince,
  seededTraffic,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  canonicalLogIds,
  demoContractEntries,
  ingestConfig,
  netConfirmedIds,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { ingestMetric } from './support/ingestMetric.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 4;

describe('ingest realtime with shallow reorgs', () => {
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
  });

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  it('publishes exactly the canonical logs up to the confirmed head after 20 reorgs', async () => {
    const prefix = randomId('ingest-rt');
    const label = { chain_id: String(chain.chainId) };
    const topics = topicNames(prefix);
    const wallets = chain.walletClients.slice(1, 5);
    const traffic = (count: number, seed: number) =>
      seededTraffic({ publicClient: chain.publicClient, wallets, contracts }, count, seed);
    await traffic(15, 1);

    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: chain.rpcHttp,
        rpcWs: chain.rpcWs,
        chainId: chain.chainId,
        contracts: demoContractEntries(contracts),
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
        pollIntervalMs: 100,
      }),
      lockTtlMs: 3_000,
      logger: testLogger('realtime'),
    });
    await ingest.start();

    for (let i = 0; i < 20; i++) {
      const depth = 1 + (i % (confirmations - 1));
      await traffic(2, 100 + i);
      const snapshot = await takeChainSnapshot(chain.testClient);
      await traffic(depth, 200 + i);
      // The ingestor must see the branch before it is orphaned, or there is no reorg to handle.
      const tip = Number(await chain.publicClient.getBlockNumber());
      await waitFor(async () => (await ingestMetric('blockwire_ingest_head_block', label)) >= tip, {
        description: `ingestor at head ${tip}`,
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      await replaceSince(chain.testClient, snapshot, { txs: () => traffic(1, 300 + i) });
    }
    await traffic(5, 999);
    await mine(chain.testClient, confirmations);
    const head = Number(await chain.publicClient.getBlockNumber());
    const confirmedHead = head - confirmations;
    const checkpoint = await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, confirmedHead);
    expect(checkpoint.blockNumber).toBe(confirmedHead);

    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    const expected = await canonicalLogIds(
      chain.publicClient,
      chain.chainId,
      [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address],
      BigInt(confirmedHead),
    );
    expect(expected.length).toBeGreaterThan(60);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    // No deep reorg happened, so nothing was ever retracted from the confirmed topic.
    expect(records.filter((record) => record.event.status !== 'CONFIRMED')).toEqual([]);
    expect(ids).toEqual(expected);
    const seen = await ingestMetric('blockwire_ingest_reorgs_total', { ...label, kind: 'shallow' });
    expect(seen).toBeGreaterThanOrEqual(20);
    expect(await ingestMetric('blockwire_ingest_reorgs_total', { ...label, kind: 'deep' })).toBe(0);
    // Orphaned unconfirmed events were announced as PENDING and then retracted on events.pending.
    const pending = await readCommittedEvents(kafka, topics.pending);
    const retracted = pending.filter((record) => record.event.status === 'REMOVED');
    expect(retracted.length).toBeGreaterThanOrEqual(20);
    for (const record of retracted) expect(expected).not.toContain(record.event.id);
    for (const record of records) expect(record.key).toBe(`${chain.chainId}:${record.event.address}`);
  });
});
