import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
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
  type ConfirmedRecord,
  demoContractEntries,
  readCommittedEvents,
  writeIngestConfig,
} from './support/ingestHarness.ts';
import { type IngestProcess, spawnIngest, waitForLine } from './support/spawnIngest.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 3;

/** Ids announced PENDING and never settled: no later REMOVED on the pending topic, no CONFIRMED. */
function unsettledPending(pending: ConfirmedRecord[], confirmed: ConfirmedRecord[]): string[] {
  const open = new Set<string>();
  for (const { event } of pending) {
    if (event.status === 'PENDING') open.add(event.id);
    else if (event.status === 'REMOVED') open.delete(event.id);
  }
  for (const { event } of confirmed) if (event.status === 'CONFIRMED') open.delete(event.id);
  return [...open];
}

describe('ingest pending stream across a restart', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  const running: IngestProcess[] = [];
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((ingest) => ingest.kill()));
  });

  afterAll(async () => {
    await chain?.stop();
  });

  const traffic = (count: number, seed: number) =>
    seededTraffic(
      { publicClient: chain.publicClient, wallets: chain.walletClients.slice(1, 5), contracts },
      count,
      seed,
    );

  it('retracts with REMOVED the pending events orphaned while the ingestor was killed', {
    timeout: 180_000,
  }, async () => {
    const prefix = randomId('ingest-pending');
    const topics = topicNames(prefix);
    const configFile = writeIngestConfig({
      rpcHttp: chain.rpcHttp,
      chainId: chain.chainId,
      contracts: demoContractEntries(contracts),
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      pollIntervalMs: 100,
      lockTtlMs: 2_000,
    });
    await traffic(4, 1);
    const first = spawnIngest(configFile);
    running.push(first);
    await waitForLine(first, 'Following heads');
    await mine(chain.testClient, confirmations);
    await waitForCheckpoint(
      kafka,
      topics.checkpoints,
      chain.chainId,
      Number(await chain.publicClient.getBlockNumber()) - confirmations,
    );

    // Blocks with events, none of them `confirmations` deep: the ingestor announces them PENDING only.
    const snapshot = await takeChainSnapshot(chain.testClient);
    await traffic(confirmations, 20);
    const announced = await waitFor(
      async () => {
        const records = await readCommittedEvents(kafka, topics.pending);
        const pending = records.filter(
          (record) =>
            record.event.status === 'PENDING' && record.event.blockNumber > Number(snapshot.blockNumber),
        );
        const blocks = new Set(pending.map((record) => record.event.blockNumber));
        return blocks.size === confirmations ? pending : undefined;
      },
      { description: 'PENDING records of the unconfirmed blocks', timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    // While no ingestor runs, a reorg replaces every announced block.
    const { orphaned } = await replaceSince(chain.testClient, snapshot, { txs: () => traffic(2, 21) });
    const orphanedHashes = new Set(orphaned.map((hash) => hash.toLowerCase()));
    expect(announced.every((record) => orphanedHashes.has(record.event.blockHash))).toBe(true);

    const second = spawnIngest(configFile);
    running.push(second);
    await waitForLine(second, 'Following heads');
    await mine(chain.testClient, confirmations);
    await waitForCheckpoint(
      kafka,
      topics.checkpoints,
      chain.chainId,
      Number(await chain.publicClient.getBlockNumber()) - confirmations,
    );
    // The retraction comes before the restarted ingestor confirms anything, so the checkpoint above
    // is the moment every PENDING the first ingestor published must be settled.
    const pending = await readCommittedEvents(kafka, topics.pending);
    const confirmed = await readCommittedEvents(kafka, topics.confirmed);
    expect(unsettledPending(pending, confirmed)).toEqual([]);
    const removed = pending.filter((record) => record.event.status === 'REMOVED');
    expect(new Set(removed.map((record) => record.event.id))).toEqual(
      new Set(announced.map((record) => record.event.id)),
    );
    // A REMOVED comes after the PENDING of its id (same key, same partition).
    for (const record of removed) {
      const announcement = pending.find(
        (other) => other.event.id === record.event.id && other.event.status === 'PENDING',
      )!;
      expect(announcement.partition).toBe(record.partition);
      expect(announcement.offset < record.offset).toBe(true);
    }
  });
});
