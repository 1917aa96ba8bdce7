/**
 * The steps of the marketplace end-to-end run: reorgs shallower than `confirmations` (never seen as
 * confirmed), deep reorgs whose orphaned branch sets, sells and deletes hot listings after they were
 * confirmed (so REMOVED must reverse each), and SIGKILLs of the processor instance applying a burst.
 * Each step records what it did, for the test to check that the run was what it claims.
 */
import type { Hash } from 'viem';
import { waitFor } from '../../../src/dev-stack/index.ts';
import { contractKeys, metaFields, type TopicNames } from '../../../src/domain/index.ts';
import { waitForCheckpoint } from '../../ingest/support/waitForCheckpoint.ts';
import type { Harness } from '../../process/support/harness.ts';
import { mine, reorg, replaceSince, type TestChain, takeChainSnapshot } from '../../support/chain.ts';
import { armKillSwitch } from './marketKillSwitch.ts';
import type { ProcessorPool } from './marketProcessors.ts';
import type { MarketOp, MarketTraffic } from './marketTraffic.ts';

/** One SIGKILL, with the Market's applied count around it. */
export type MarketKill = {
  victim: string;
  /** Applied when the burst's events started to confirm. */
  before: number;
  /** Applied when the watcher fired. */
  seen: number;
  /** Applied once the victim was dead. */
  after: number;
  /** events.confirmed offset of the Market partition once the victim was dead (read_committed). */
  offset: bigint;
  /** Milliseconds spent sending the burst, settling the group, and until the kill. */
  timings: { burst: number; settle: number; kill: number };
};

/** Parameters of {@link createMarketScenario}. */
export type CreateMarketScenarioParameters = {
  chain: TestChain;
  traffic: MarketTraffic;
  harness: Harness;
  processors: ProcessorPool;
  topics: TopicNames;
  keyPrefix: string;
  redisUrl: string;
  /** The Market's address, lower-case. */
  address: string;
  confirmations: number;
  /** Wallet index that lists only on branches that get orphaned. */
  orphanOnlySeller: number;
  /** Operations of each burst a kill lands in. */
  burstOps: number;
};

/** The steps and what they did. */
export type MarketScenario = {
  /** Blocks orphaned by reorgs at most `confirmations` deep. */
  shallowOrphaned: Set<Hash>;
  /** Blocks orphaned after their events were confirmed. */
  deepOrphaned: Set<Hash>;
  kills: MarketKill[];
  /** events.confirmed partition of the Market (all its records; known after `locatePartition`). */
  partition(): number;
  locatePartition(): Promise<number>;
  shallowReorg(round: number): Promise<void>;
  deepReorg(round: number): Promise<void>;
  killWhileApplying(round: number): Promise<void>;
};

/** What the orphaned branch of deep reorg `round` does to hot listings 1-3: sets, sales, deletes. */
export function orphanedOps(round: number, orphanOnlySeller: number): MarketOp[] {
  switch (round % 3) {
    case 0:
      return [
        { kind: 'changePrice', from: 3, listingId: 1n, price: 777n },
        { kind: 'cancel', from: 4, listingId: 1n },
        { kind: 'list', from: orphanOnlySeller, price: 5n },
        { kind: 'buy', from: 5, listingId: 2n },
      ];
    case 1:
      return [
        { kind: 'changePrice', from: 2, listingId: 1n, price: 2n ** 255n },
        { kind: 'buy', from: 0, listingId: 1n },
        { kind: 'cancel', from: 1, listingId: 3n },
      ];
    default:
      return [
        { kind: 'buy', from: 4, listingId: 1n },
        { kind: 'list', from: orphanOnlySeller, price: 6n },
        { kind: 'changePrice', from: 3, listingId: 2n, price: 1n },
      ];
  }
}

/** Creates the steps. */
export function createMarketScenario({
  chain,
  traffic,
  harness,
  processors,
  topics,
  keyPrefix,
  redisUrl,
  address,
  confirmations,
  orphanOnlySeller,
  burstOps,
}: CreateMarketScenarioParameters): MarketScenario {
  const { testClient, chainId } = chain;
  const shallowOrphaned = new Set<Hash>();
  const deepOrphaned = new Set<Hash>();
  const kills: MarketKill[] = [];
  let partition: number | undefined;
  let deepReorgs = 0;
  const applied = () => harness.appliedCount([address]);
  const marketPartition = () => {
    if (partition === undefined) throw new Error('locatePartition() first');
    return partition;
  };
  /** Mines `blocks` and waits until everything below them is on events.confirmed. */
  const bury = async (blocks: number) => {
    await mine(testClient, blocks);
    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    await waitForCheckpoint(harness.kafka, topics.checkpoints, chainId, Number(head) - confirmations);
  };

  return {
    shallowOrphaned,
    deepOrphaned,
    kills,
    partition: marketPartition,
    async locatePartition() {
      // The Market is the only contract: every record of events.confirmed is in its partition.
      partition = await waitFor(
        async () =>
          (await harness.admin.fetchTopicOffsets(topics.confirmed)).find((entry) => entry.high !== '0')
            ?.partition,
        { description: 'the Market partition of events.confirmed', timeoutMs: 60_000, intervalMs: 200 },
      );
      return partition;
    },

    /** 1 or 2 blocks (a burst among them) orphaned before they are `confirmations` deep. */
    async shallowReorg(round) {
      const result = await reorg(testClient, {
        depth: 1 + (round % confirmations),
        orphanedTxs: () => traffic.burst(40, 200 + round),
        txs: () => traffic.blocks(1, 300 + round),
      });
      for (const hash of result.orphaned) shallowOrphaned.add(hash);
    },

    /** Orphans blocks whose events were confirmed already: REMOVED flows to the processors. */
    async deepReorg(round) {
      const snapshot = await takeChainSnapshot(testClient);
      await traffic.send(orphanedOps(deepReorgs++, orphanOnlySeller));
      await traffic.burst(60, 500 + round);
      await bury(confirmations + 1);
      const result = await replaceSince(testClient, snapshot, {
        txs: () => traffic.blocks(confirmations + 2, 600 + round),
      });
      for (const hash of result.orphaned) deepOrphaned.add(hash);
    },

    /**
     * A burst confirmed at once; a watcher process SIGKILLs the instance holding the Market partition
     * as soon as it has applied part of it, and a replacement starts.
     */
    async killWhileApplying(round) {
      const startedAt = Date.now();
      // Everything before the burst is on events.confirmed first, so the next progress is the burst's.
      await bury(confirmations);
      await traffic.burst(burstOps, 100 + round);
      const sentAt = Date.now();
      // Meanwhile the group settles (a previous victim expires, its replacement joins) and applies
      // everything confirmed so far.
      const at = marketPartition();
      const victim = await waitFor(() => processors.owner(at), {
        description: `a settled group and the instance holding partition ${at} (processor log: ${processors.logFile})`,
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      await harness.waitForCommitted(60_000);
      const settledAt = Date.now();
      const before = await applied();
      const killSwitch = await armKillSwitch({
        redisUrl,
        key: contractKeys(keyPrefix, chainId, address).meta,
        field: metaFields.appliedCount,
        above: before,
        pid: victim.child.pid!,
      });
      await mine(testClient, confirmations);
      const seen = await killSwitch.fired(60_000);
      await processors.killAndReplace(victim);
      const offsets = await harness.admin.fetchTopicOffsets(topics.confirmed);
      kills.push({
        victim: victim.name,
        before,
        seen,
        after: await applied(),
        offset: BigInt(offsets.find((entry) => entry.partition === at)!.offset),
        timings: { burst: sentAt - startedAt, settle: settledAt - sentAt, kill: Date.now() - settledAt },
      });
    },
  };
}
