/** Writes a log line unless one was written within the interval; see {@link createLogThrottle}. */
export type LogThrottle = (write: (suppressed: number) => void) => void;

/** Parameters of {@link createLogThrottle}. */
export type LogThrottleParameters = {
  intervalMs: number;
  now?: () => number;
};

/**
 * Lets at most one log line through per interval, so a client repeating the same fault cannot flood
 * the log; the next line written says how many were suppressed in between.
 */
export function createLogThrottle({ intervalMs, now = Date.now }: LogThrottleParameters): LogThrottle {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (write) => {
    const time = now();
    if (time - last < intervalMs) {
      suppressed += 1;
      return;
    }
    last = time;
    write(suppressed);
    suppressed = 0;
  };
}
