/** Events per second over a sliding window of whole seconds. */
export type RateCounter = {
  record(nowMs: number, count?: number): void;
  /** One count per second of the window, oldest first; the last entry is the current (partial) second. */
  series(nowMs: number): number[];
  /** Count of the last complete second. */
  perSecond(nowMs: number): number;
};

/** Parameters of {@link createRateCounter}. */
export type CreateRateCounterParameters = { windowSeconds: number };

/** Counts events into one-second buckets and forgets buckets older than the window. */
export function createRateCounter({ windowSeconds }: CreateRateCounterParameters): RateCounter {
  const buckets = new Map<number, number>();
  const prune = (second: number) => {
    for (const key of buckets.keys()) if (key <= second - windowSeconds) buckets.delete(key);
  };
  return {
    record(nowMs, count = 1) {
      const second = Math.floor(nowMs / 1000);
      buckets.set(second, (buckets.get(second) ?? 0) + count);
      prune(second);
    },
    series(nowMs) {
      const second = Math.floor(nowMs / 1000);
      prune(second);
      return Array.from(
        { length: windowSeconds },
        (_, i) => buckets.get(second - windowSeconds + 1 + i) ?? 0,
      );
    },
    perSecond(nowMs) {
      return buckets.get(Math.floor(nowMs / 1000) - 1) ?? 0;
    },
  };
}
