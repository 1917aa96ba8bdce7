import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';
import { chainStatusKey, epochKey, hashSlotCount, slotEpochKey } from '../../domain/index.ts';
import { execRedisBatch } from '../../shared/execRedisBatch.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { projectionKeyPattern } from '../projection/projectionKeyPattern.ts';
import type { ProcessScripts } from '../scripts.ts';

/** The epoch an instance applies under; `created` when this instance just wiped and re-created it. */
export type EstablishedEpoch = { epoch: string; created: boolean };

/**
 * Owns the epoch marker. While it holds a real epoch, Redis has a complete projection built under it;
 * `rebuilding:<token>` means an instance is wiping the projection; missing means Redis lost its state.
 */
export type EpochManager = {
  /** The current marker value (null when missing). */
  read(): Promise<string | null>;
  /** Returns the current epoch, creating a new one (after wiping the projection) when it is missing. */
  establish(signal: AbortSignal): Promise<EstablishedEpoch>;
  /** Wipes the projection and sets a new epoch whatever the current one is. */
  forceRebuild(): Promise<string>;
};

/** Parameters of {@link createEpochManager}. */
export type CreateEpochManagerParameters = {
  redis: RedisClient & ProcessScripts;
  keyPrefix: string;
  chainIds: number[];
  logger: Logger;
};

const rebuildingPrefix = 'rebuilding:';
const markerTtlMs = 30_000;
/** Slots whose epoch copies `read()` samples on a cluster: spread evenly, so every master has some. */
const sampledSlots = Array.from({ length: 64 }, (_, index) => index * (hashSlotCount / 64));
const allSlots = Array.from({ length: hashSlotCount }, (_, slot) => slot);

/** Creates the epoch manager of a processor. */
export function createEpochManager({
  redis,
  keyPrefix,
  chainIds,
  logger,
}: CreateEpochManagerParameters): EpochManager {
  const key = epochKey(keyPrefix);

  const cluster = redis.isCluster;

  /** Sets the epoch copy of every slot (Redis Cluster) to `value`. */
  async function writeSlotEpochs(value: string): Promise<void> {
    const commands = allSlots.map((slot) => {
      const slotKey = slotEpochKey(keyPrefix, slot);
      return { key: slotKey, add: (pipeline: Redis) => void pipeline.set(slotKey, value) };
    });
    for (const [error] of await execRedisBatch(redis, commands)) if (error) throw error;
  }

  /** The slots (of `slots`) whose epoch copy is not `epoch`: on a cluster, the slots that lost data. */
  async function slotsWithout(epoch: string, slots: readonly number[]): Promise<number[]> {
    const commands = slots.map((slot) => {
      const slotKey = slotEpochKey(keyPrefix, slot);
      return { key: slotKey, add: (pipeline: Redis) => void pipeline.get(slotKey) };
    });
    const results = await execRedisBatch(redis, commands);
    return slots.filter((_, index) => {
      const [error, value] = results[index] ?? [null, null];
      if (error) throw error;
      return value !== epoch;
    });
  }

  /** Each master of a cluster (each answers SCAN for its own keys only), or the one server. */
  const scanTargets = (): Redis[] =>
    cluster ? (redis as unknown as Cluster).nodes('master') : [redis as Redis];

  // Deletes every per-contract key while renewing our rebuilding marker; stops when the marker was
  // taken over, so two instances never wipe under each other's fresh writes. On a cluster the slots'
  // epoch copies are set to the marker first, so no apply script writes while the keys go.
  async function wipe(marker: string): Promise<boolean> {
    if (cluster) await writeSlotEpochs(marker);
    let deleted = 0;
    for (const node of scanTargets()) {
      let cursor = '0';
      do {
        if ((await redis.bwEpochCas(key, marker, marker, String(markerTtlMs))) !== 1) return false;
        const [next, keys] = await node.scan(cursor, 'MATCH', projectionKeyPattern(keyPrefix), 'COUNT', 1000);
        cursor = next;
        if (keys.length === 0) continue;
        // One key per UNLINK: the keys of a cluster node belong to many slots.
        const pipeline = node.pipeline();
        for (const found of keys) pipeline.unlink(found);
        for (const [error, count] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          deleted += Number(count);
        }
      } while (cursor !== '0');
    }
    for (const chainId of chainIds) await redis.hdel(chainStatusKey(keyPrefix, chainId), 'processedBlock');
    logger.info({ msg: 'Projection wiped for rebuild', keys_deleted: deleted });
    return true;
  }

  async function finish(marker: string): Promise<string | undefined> {
    if (!(await wipe(marker))) return undefined;
    const epoch = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    if (cluster) await writeSlotEpochs(epoch);
    return (await redis.bwEpochCas(key, marker, epoch, '')) === 1 ? epoch : undefined;
  }

  /**
   * On a cluster, a master that lost its data (restarted empty, or flushed) lost its slots' epoch
   * copies: the projection is incomplete there, and only a rebuild restores it.
   */
  async function lostSlots(epoch: string): Promise<number[]> {
    return cluster ? slotsWithout(epoch, allSlots) : [];
  }

  return {
    async read() {
      const current = await redis.get(key);
      if (!cluster || !current || current.startsWith(rebuildingPrefix)) return current;
      const lost = await slotsWithout(current, sampledSlots);
      return lost.length === 0 ? current : `lost:${lost.length}-sampled-slots`;
    },
    async establish(signal) {
      while (!signal.aborted) {
        const current = await redis.get(key);
        if (current && !current.startsWith(rebuildingPrefix)) {
          const lost = await lostSlots(current);
          if (lost.length === 0) return { epoch: current, created: false };
          const marker = `${rebuildingPrefix}${randomUUID()}`;
          if ((await redis.bwEpochCas(key, current, marker, String(markerTtlMs))) === 1) {
            logger.warn({
              msg: 'Redis Cluster lost the data of some slots; wiping the projection to rebuild it',
              slots_lost: lost.length,
              first_slot_lost: lost[0],
            });
            const epoch = await finish(marker);
            if (epoch) return { epoch, created: true };
          }
          continue;
        }
        if (!current) {
          const marker = `${rebuildingPrefix}${randomUUID()}`;
          if ((await redis.set(key, marker, 'PX', markerTtlMs, 'NX')) === 'OK') {
            logger.warn({ msg: 'Epoch marker missing; wiping the projection to rebuild it' });
            const epoch = await finish(marker);
            if (epoch) return { epoch, created: true };
          }
        }
        await sleep(200, undefined, { signal }).catch(() => {});
      }
      throw signal.reason ?? new Error('aborted');
    },
    async forceRebuild() {
      const marker = `${rebuildingPrefix}${randomUUID()}`;
      await redis.set(key, marker, 'PX', markerTtlMs);
      logger.warn({ msg: 'Rebuild forced; wiping the projection' });
      const epoch = await finish(marker);
      if (!epoch) throw new Error('Another instance took over the rebuild');
      return epoch;
    },
  };
}
