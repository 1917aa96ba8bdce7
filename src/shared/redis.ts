import { Redis, type RedisOptions } from 'ioredis';

/** Parameters of {@link createRedis}. */
export type CreateRedisParameters = { url: string; options?: RedisOptions };

/**
 * An ioredis client. Commands issued while disconnected are queued and retried by ioredis; callers
 * that must not block forever pass `maxRetriesPerRequest`.
 */
export function createRedis({ url, options }: CreateRedisParameters): Redis {
  return new Redis(url, { lazyConnect: false, enableAutoPipelining: false, ...options });
}
