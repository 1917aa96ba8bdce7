import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { type ChainEvent, topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import type { ResolvedConfig } from '../../src/shared/config/index.ts';
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

const confirmations = 3;

describe('ingest deep reorgs', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let config: ResolvedConfig;
  let ingest: Ingest | undefined;
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });
  const prefix = randomId('ingest-deep');
  const topics = topicNames(prefix);

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    config = ingestConfig({
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
    });
  });

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  const wallets = () => chain.walletClients.slice(1, 5);
  const traffic = (count: number, seed: number) =>
    seededTraffic({ publicClient: chain.publicClient, wallets: wallets(), contracts }, count, seed);
  const addresses = () => [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
  const head = async () => Number(await chain.publicClient.getBlockNumber());

  /** Orphans `depth` blocks full of events after the ingestor confirmed the older ones among them. */
  async function deepReorg(depth: number, seed: number, waitConfirmed: boolean) {
    const snapshot = await takeChainSnapshot(chain.testClient);
    await traffic(depth, seed);
    const tip = await head();
    if (waitConfirmed) await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, tip - confirmations);
    const orphanedIds = await canonicalLogIds(chain.publicClient, chain.chainId, addresses(), BigInt(tip));
    const result = await replaceSince(chain.testClient, snapshot, {
      txs: () => traffic(depth + 1, seed + 1),
    });
    return { result, orphanedIds };
  }

  async function expectCanonicalAfterSettling(): Promise<ChainEvent[]> {
    await mine(chain.testClient, confirmations);
    const confirmedHead = (await head()) - confirmations;
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, confirmedHead);
    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(ids).toEqual(
      await canonicalLogIds(chain.publicClient, chain.chainId, addresses(), BigInt(confirmedHead)),
    );
    return records.map((record) => record.event);
  }

  it('retracts orphaned confirmed events with REMOVED, then publishes the canonical ones, and keeps running', async () => {
    await traffic(12, 1);
    ingest = createIngest({ config, lockTtlMs: 3_000, logger: testLogger('deep') });
    await ingest.start();
    let settled = false;
    void ingest.done.then(
      () => (settled = true),
      () => (settled = true),
    );

    const depth = confirmations + 2;
    const { result } = await deepReorg(depth, 50, true);
    const orphanedHashes = new Set(result.orphaned.map((hash) => hash.toLowerCase()));
    const events = await expectCanonicalAfterSettling();

    const removed = events.filter((event) => event.status === 'REMOVED');
    // Only the orphaned blocks that had reached `confirmations` depth had been confirmed.
    expect(removed.length).toBeGreaterThan(0);
    for (const event of removed) expect(orphanedHashes.has(event.blockHash)).toBe(true);
    const confirmedOrphans = events.filter(
      (event) => event.status === 'CONFIRMED' && orphanedHashes.has(event.blockHash),
    );
    expect(new Set(removed.map((event) => event.id))).toEqual(
      new Set(confirmedOrphans.map((event) => event.id)),
    );
    // REMOVED come newest first (undo order), and before the canonical replacement events.
    const removedPositions = removed.map((event) => events.indexOf(event));
    const sorted = [...removed].sort((a, b) => b.blockNumber - a.blockNumber || b.logIndex - a.logIndex);
    const perKey = (list: ChainEvent[], address: string) =>
      list.filter((event) => event.address === address).map((e) => e.id);
    for (const address of addresses().map((a) => a.toLowerCase()))
      expect(perKey(removed, address)).toEqual(perKey(sorted, address));
    const firstReplacement = events.findIndex(
      (event) =>
        event.status === 'CONFIRMED' &&
        event.blockNumber > Number(result.forkBlockNumber) &&
        !orphanedHashes.has(event.blockHash),
    );
    expect(firstReplacement).toBeGreaterThan(Math.max(...removedPositions));

    expect(await ingestMetric('blockwire_ingest_reorgs_total', { kind: 'deep' })).toBe(1);
    expect(settled).toBe(false);
  });

  it('undoes a deep reorg that happened while the ingestor was down, from the checkpoint', async () => {
    const before = (await readCommittedEvents(kafka, topics.confirmed)).length;
    const snapshot = await takeChainSnapshot(chain.testClient);
    await traffic(confirmations + 3, 70);
    const tip = await head();
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, tip - confirmations);
    await ingest!.stop();
    ingest = undefined;
    const result = await replaceSince(chain.testClient, snapshot, {
      txs: () => traffic(confirmations + 4, 71),
    });
    const orphanedHashes = new Set(result.orphaned.map((hash) => hash.toLowerCase()));

    ingest = createIngest({ config, lockTtlMs: 3_000, logger: testLogger('deep-restart') });
    await ingest.start();
    const events = (await expectCanonicalAfterSettling()).slice(before);
    const removed = events.filter((event) => event.status === 'REMOVED');
    expect(removed.length).toBeGreaterThan(0);
    for (const event of removed) expect(orphanedHashes.has(event.blockHash)).toBe(true);
    await waitFor(async () => (await ingestMetric('blockwire_ingest_reorgs_total', { kind: 'deep' })) >= 2, {
      description: 'deep reorg metric',
      timeoutMs: 5_000,
    });
  });
});
