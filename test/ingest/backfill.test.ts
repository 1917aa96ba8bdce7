import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Abi, Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContracts } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { mine, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  canonicalLogIds,
  ingestConfig,
  netConfirmedIds,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { ingestMetric } from './support/ingestMetric.ts';
import { type RpcProxy, startRpcProxy } from './support/rpcProxy.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const logsPerTx = 2_000;
const transactions = 50;
const confirmations = 2;

describe('ingest backfill', () => {
  let chain: TestChain;
  let proxy: RpcProxy;
  let ingest: Ingest | undefined;
  let spammer: { address: Address; startBlock: bigint; abiFile: string };
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    const artifact = compileContracts({ sourcesDir: join(import.meta.dirname, 'contracts') }).LogSpammer!;
    const wallet = chain.walletClients[0]!;
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    // blockwire gets an ABI without `Unlisted`, so those logs arrive with decoded: false.
    const abiFile = join(mkdtempSync(join(tmpdir(), 'bw-abi-')), 'LogSpammer.json');
    writeFileSync(
      abiFile,
      JSON.stringify((artifact.abi as Abi).filter((item) => !('name' in item) || item.name !== 'Unlisted')),
    );
    spammer = { address: receipt.contractAddress!, startBlock: receipt.blockNumber, abiFile };
    for (let i = 0; i < transactions; i++) {
      const tx = await wallet.writeContract({
        address: spammer.address,
        abi: artifact.abi,
        functionName: 'spam',
        args: [BigInt(logsPerTx)],
        gas: 16_000_000n,
      });
      await chain.publicClient.waitForTransactionReceipt({ hash: tx });
      await mine(chain.testClient, 9);
    }
    // Everything above lies below the realtime window, so the backfill does the work.
    await mine(chain.testClient, 100);
    proxy = await startRpcProxy(chain.rpcHttp, { maxRange: 50, maxResults: 5_000, rateLimitEvery: 9 });
  }, 300_000);

  afterAll(async () => {
    await ingest?.stop();
    await proxy?.close();
    await chain?.stop();
  });

  it('backfills 100k logs through range limits and 429s, complete, in order, exactly once', async () => {
    const prefix = randomId('ingest-bf');
    const topics = topicNames(prefix);
    const head = Number(await chain.publicClient.getBlockNumber());
    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: proxy.url,
        rpcWs: proxy.wsUrl,
        chainId: chain.chainId,
        contracts: [
          { name: 'Spammer', address: spammer.address, abi: spammer.abiFile, startBlock: spammer.startBlock },
        ],
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
        maxBlockRange: 2_000,
      }),
      logger: testLogger('backfill'),
    });
    const startedAt = performance.now();
    await ingest.start();
    // A fatal error of the ingestor fails the test at once, with its message, instead of a timeout.
    await Promise.race([
      waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 280_000),
      ingest.done.then(() => {
        throw new Error('the ingestor stopped before its checkpoint reached the head');
      }),
    ]);
    const seconds = (performance.now() - startedAt) / 1000;

    const records = await readCommittedEvents(kafka, topics.confirmed);
    const total = transactions * logsPerTx;
    const undecoded = total / 1000;
    console.log(
      `[ingest backfill] ${records.length} logs in ${seconds.toFixed(1)} s = ${Math.round(records.length / seconds)} logs/s ` +
        `(proxy: ${JSON.stringify(proxy.stats)})`,
    );
    expect(records.length).toBe(total + undecoded);
    // Packed: up to 100 events of the contract per Kafka record (kafka.eventsPerRecord's default).
    const recordCount = new Set(records.map((record) => `${record.partition}/${record.offset}`)).size;
    expect(Math.max(...records.map((record) => record.recordEvents))).toBe(100);
    expect(recordCount).toBeLessThan(records.length / 50);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    expect(ids).toEqual(
      await canonicalLogIds(
        chain.publicClient,
        chain.chainId,
        [spammer.address],
        BigInt(head - confirmations),
      ),
    );
    const notDecoded = records.filter((record) => !record.event.decoded);
    expect(notDecoded).toHaveLength(undecoded);
    expect(notDecoded[0]!.event).toMatchObject({ eventName: null, signature: null, args: {} });
    expect(records[0]!.event).toMatchObject({
      eventName: 'Ping',
      signature: 'Ping(address,uint256,uint256)',
      decoded: true,
    });
    expect(records[0]!.event.args).toMatchObject({ seq: '0', value: '0' });
    expect(await ingestMetric('blockwire_ingest_undecoded_logs_total')).toBe(undecoded);
    // The faults really happened and were absorbed.
    expect(proxy.stats.rangeRefused).toBeGreaterThan(0);
    expect(proxy.stats.resultsRefused).toBeGreaterThan(0);
    expect(proxy.stats.rateLimited).toBeGreaterThan(0);
    // Alone it takes ~25 s; beside the other heavy integration files on two cores it has taken 150 s.
  }, 300_000);
});
