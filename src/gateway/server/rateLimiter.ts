import { rateLimitKey } from '../../domain/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { createLogThrottle } from './logThrottle.ts';

/** Outcome of one {@link RateLimiter.take}. */
export type RateLimitDecision = {
  allowed: boolean;
  /** Seconds until the client's window ends (for `retry-after`); 0 when allowed. */
  retryAfterSeconds: number;
};

/** Fixed-window operation counters per client key. */
export type RateLimiter = {
  /** Counts one operation of `key`; refused once the client used up its window. */
  take(key: string): Promise<RateLimitDecision>;
};

/** Parameters of {@link createLocalRateLimiter}. */
export type LocalRateLimiterParameters = {
  /** Operations a client may start per window. */
  limit: number;
  windowMs?: number;
  now?: () => number;
  /** Windows kept at most; the least recently used are forgotten. */
  maxKeys?: number;
};

function decision(count: number, limit: number, remainingMs: number): RateLimitDecision {
  const allowed = count <= limit;
  return { allowed, retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(remainingMs / 1000)) };
}

/**
 * Per-process fixed windows: at most `limit` operations per client in each window, the window
 * starting at the client's first operation. The fallback of {@link createRateLimiter} while Redis
 * does not answer.
 */
export function createLocalRateLimiter({
  limit,
  windowMs = 60_000,
  now = Date.now,
  maxKeys = 100_000,
}: LocalRateLimiterParameters): RateLimiter {
  const windows = new Map<string, { count: number; endsAt: number }>();
  return {
    async take(key) {
      const time = now();
      let window = windows.get(key);
      if (!window || window.endsAt <= time) window = { count: 0, endsAt: time + windowMs };
      window.count += 1;
      // Re-insert so Map order is least-recently-used first.
      windows.delete(key);
      windows.set(key, window);
      if (windows.size > maxKeys) windows.delete(windows.keys().next().value!);
      return decision(window.count, limit, window.endsAt - time);
    },
  };
}

// One fixed window per client: the first INCR starts it by setting the expiry; refused operations
// count too, so a client hammering a spent window does not get a fresh one sooner.
const takeScript = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/** Parameters of {@link createRateLimiter}. */
export type RateLimiterParameters = {
  redis: RedisClient;
  keyPrefix: string;
  /** Operations a client may start per window. */
  limit: number;
  windowMs?: number;
  logger: Logger;
};

/**
 * Fixed windows counted in Redis under {@link rateLimitKey}, so every gateway sharing the Redis
 * shares each client's budget: at most `limit` operations per client per window, whichever gateway
 * they reach. While Redis fails, each process falls back to its own windows (logged, at most once a
 * minute).
 */
export function createRateLimiter({
  redis,
  keyPrefix,
  limit,
  windowMs = 60_000,
  logger,
}: RateLimiterParameters): RateLimiter {
  const fallback = createLocalRateLimiter({ limit, windowMs });
  const throttle = createLogThrottle({ intervalMs: 60_000 });
  return {
    async take(key) {
      try {
        const [count, ttl] = (await redis.eval(takeScript, 1, rateLimitKey(keyPrefix, key), windowMs)) as [
          number,
          number,
        ];
        return decision(count, limit, ttl);
      } catch (error) {
        throttle((suppressed) =>
          logger.warn({
            msg: 'Rate limit counters unavailable in RedisClient; limiting per process',
            err: error,
            suppressed,
          }),
        );
        return fallback.take(key);
      }
    },
  };
}
