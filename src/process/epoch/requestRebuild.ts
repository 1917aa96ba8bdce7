import { epochKey } from '../../domain/index.ts';
import type { ResolvedConfig } from '../../shared/config/index.ts';
import { RedisError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { createRedis } from '../../shared/redis.ts';

/** Parameters of {@link requestRebuild}. */
export type RequestRebuildParameters = { config: ResolvedConfig; logger: Logger };

/** What {@link requestRebuild} did. */
export type RequestRebuildResult = {
  /** The Redis key of the epoch marker that was deleted. */
  key: string;
  /** The epoch the marker held (undefined when there was none: no processor had built a projection). */
  previousEpoch: string | undefined;
};

/**
 * Asks the processors to rebuild the projection by deleting the epoch marker. Nothing is wiped
 * here: each running processor notices the missing marker (on its next batch or epoch check), one
 * of them wipes the projection under a new epoch and all replay `events.confirmed` from the start.
 * With no processor running, the next one to start does it.
 */
export async function requestRebuild({
  config,
  logger,
}: RequestRebuildParameters): Promise<RequestRebuildResult> {
  const key = epochKey(config.redis.keyPrefix);
  const redis = createRedis({
    url: config.redis.url,
    cluster: config.redis.cluster,
    options: { maxRetriesPerRequest: 3 },
  });
  redis.on('error', () => {}); // the failed command reports it
  try {
    const previous = await redis.getdel(key);
    const result = { key, previousEpoch: previous ?? undefined };
    logger.warn({
      msg: 'Rebuild requested: epoch marker deleted',
      key,
      previous_epoch: result.previousEpoch,
    });
    return result;
  } catch (error) {
    throw new RedisError(`Could not delete the epoch marker ${key}: ${(error as Error).message}`, {
      cause: error,
      retriable: true,
    });
  } finally {
    redis.disconnect();
  }
}
