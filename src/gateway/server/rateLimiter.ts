/** Token buckets per client key. */
export type RateLimiter = {
  /** Takes one token for `key`; false when the client is over its rate. */
  take(key: string): boolean;
  /** Seconds until `key` has a token again (for Retry-After). */
  retryAfter(key: string): number;
};

/** Parameters of {@link createRateLimiter}. */
export type RateLimiterParameters = {
  /** Sustained rate and burst size. */
  perMinute: number;
  now?: () => number;
  /** Buckets kept at most; the least recently used are forgotten (a full bucket is the default). */
  maxKeys?: number;
};

/** Creates per-client token buckets: a burst of `perMinute`, refilled at `perMinute / 60` per second. */
export function createRateLimiter({
  perMinute,
  now = Date.now,
  maxKeys = 100_000,
}: RateLimiterParameters): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;

  const refill = (key: string) => {
    const time = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, at: time };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (time - bucket.at) * ratePerMs);
    bucket.at = time;
    // Re-insert so Map order is least-recently-used first.
    buckets.delete(key);
    buckets.set(key, bucket);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
    return bucket;
  };

  return {
    take(key) {
      const bucket = refill(key);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    retryAfter(key) {
      const bucket = refill(key);
      return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / ratePerMs / 1000);
    },
  };
}
