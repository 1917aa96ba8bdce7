import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { chainStatusKey, epochKey } from '../../domain/index.ts';
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
  redis: Redis & ProcessScripts;
  keyPrefix: string;
  chainIds: number[];
  logger: Logger;
};

const rebuildingPrefix = 'rebuilding:';
const markerTtlMs = 30_000;

/** Creates the epoch manager of a processor. */
export function createEpochManager({
  redis,
  keyPrefix,
  chainIds,
  logger,
}: CreateEpochManagerParameters): EpochManager {
  const key = epochKey(keyPrefix);

  // Deletes every per-contract key while renewing our rebuilding marker; stops when the marker was
  // taken over, so two instances never wipe under each other's fresh writes.
  async function wipe(marker: string): Promise<boolean> {
    let cursor = '0';
    let deleted = 0;
    do {
      if ((await redis.bwEpochCas(key, marker, marker, String(markerTtlMs))) !== 1) return false;
      const [next, keys] = await redis.scan(cursor, 'MATCH', projectionKeyPattern(keyPrefix), 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    for (const chainId of chainIds) await redis.hdel(chainStatusKey(keyPrefix, chainId), 'processedBlock');
    logger.info({ msg: 'Projection wiped for rebuild', keys_deleted: deleted });
    return true;
  }

  async function finish(marker: string): Promise<string | undefined> {
    if (!(await wipe(marker))) return undefined;
    const epoch = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    return (await redis.bwEpochCas(key, marker, epoch, '')) === 1 ? epoch : undefined;
  }

  return {
    read: () => redis.get(key),
    async establish(signal) {
      while (!signal.aborted) {
        const current = await redis.get(key);
        if (current && !current.startsWith(rebuildingPrefix)) return { epoch: current, created: false };
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
