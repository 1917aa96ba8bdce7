import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { chainStatusKey } from '../../domain/index.ts';
import { fetchHighWatermarks } from '../../shared/fetchHighWatermarks.ts';
import type { RedisClient } from '../../shared/redis.ts';
import type { ProcessScripts } from '../scripts.ts';

/**
 * Advances a chain's `processedBlock` to a checkpoint once the processor has applied everything that
 * was in `events.confirmed` when the checkpoint was read. The ingestor writes a block's checkpoint in
 * the same transaction as the block's events, so at that point every event up to the block is below
 * the topic's end offsets; when the processor's committed offsets reach them, the chain is processed
 * up to the checkpoint, whether or not its last blocks had events (empty blocks do not count as lag).
 * The end offsets are high watermarks: the last stable offset would stop before another chain's
 * transaction still open below this chain's events.
 */
export type ProcessedTracker = {
  /** Notes the newest checkpoint of each chain just read; the topic's end offsets are its target. */
  noteCheckpoints(latest: Map<number, number>): Promise<void>;
  /** Compares the processor's committed offsets with the targets and advances what was reached. */
  advance(): Promise<void>;
};

/** Parameters of {@link createProcessedTracker}. */
export type CreateProcessedTrackerParameters = {
  kafka: Kafka;
  admin: Admin;
  redis: RedisClient & ProcessScripts;
  keyPrefix: string;
  /** `events.confirmed`. */
  confirmedTopic: string;
  /** Consumer group of the processor's current epoch (undefined before it started consuming). */
  processorGroup: () => string | undefined;
  logger: Logger;
};

type Target = { chainId: number; blockNumber: number; endOffsets: Map<number, bigint> };

/** Targets kept while the processor is behind; older ones give way (a later target covers them). */
const maxTargets = 256;

/** Creates the tracker (see {@link ProcessedTracker}). */
export function createProcessedTracker({
  kafka,
  admin,
  redis,
  keyPrefix,
  confirmedTopic,
  processorGroup,
  logger,
}: CreateProcessedTrackerParameters): ProcessedTracker {
  let targets: Target[] = [];
  let advancing: Promise<void> | undefined;

  async function reachedTargets(groupId: string): Promise<Target[]> {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [confirmedTopic] });
    const offsets = new Map(
      (committed?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]),
    );
    return targets.filter((target) =>
      [...target.endOffsets].every(
        ([partition, end]) => end === 0n || (offsets.get(partition) ?? -1n) >= end,
      ),
    );
  }

  async function advanceOnce(): Promise<void> {
    const groupId = processorGroup();
    if (targets.length === 0 || !groupId) return;
    const reached = await reachedTargets(groupId);
    if (reached.length === 0) return;
    const highest = new Map<number, number>();
    for (const { chainId, blockNumber } of reached)
      highest.set(chainId, Math.max(highest.get(chainId) ?? 0, blockNumber));
    const now = Date.now();
    for (const [chainId, blockNumber] of highest)
      await redis.bwChainStatus(chainStatusKey(keyPrefix, chainId), 'processed', blockNumber, now);
    targets = targets.filter(
      (target) => !reached.includes(target) && target.blockNumber > (highest.get(target.chainId) ?? -1),
    );
  }

  return {
    async noteCheckpoints(latest) {
      if (latest.size === 0) return;
      const extents = await fetchHighWatermarks(kafka, confirmedTopic);
      const endOffsets = new Map(extents.map(({ partition, high }) => [partition, high]));
      for (const [chainId, blockNumber] of latest) targets.push({ chainId, blockNumber, endOffsets });
      if (targets.length > maxTargets) targets = targets.slice(targets.length - maxTargets);
    },
    advance() {
      // One comparison at a time: the timer and the consumer both call this.
      advancing ??= advanceOnce()
        .catch((error: unknown) =>
          logger.warn({ msg: 'Could not compare processor offsets with the checkpoint', err: error }),
        )
        .finally(() => {
          advancing = undefined;
        });
      return advancing;
    },
  };
}
