/** Runs calls with at most `limit` of them in flight at once; the others wait in arrival order. */
export type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

/** Creates a {@link Limiter} of `limit` calls in flight. */
export function createLimiter(limit: number): Limiter {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so `active` never drops below what runs.
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
