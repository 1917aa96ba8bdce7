import type { Logger } from 'pino';
import { epochKey } from '../domain/index.ts';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { createRedis } from '../shared/redis.ts';

/** Parameters of {@link requestRebuild}. */
export type RequestRebuildParameters = { config: ResolvedConfig; logger: Logger };

/**
 * Forces a rebuild by deleting the epoch marker: every processor notices the missing marker on its
 * next batch, drops the projection and replays `events.confirmed` from the beginning.
 */
export async function requestRebuild({ config, logger }: RequestRebuildParameters): Promise<void> {
  const redis = createRedis({ url: config.redis.url, options: { maxRetriesPerRequest: 3 } });
  try {
    await redis.del(epochKey(config.redis.keyPrefix));
    logger.warn({ msg: 'Rebuild requested', key_prefix: config.redis.keyPrefix });
  } finally {
    redis.disconnect();
  }
}
