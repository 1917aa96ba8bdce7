/** Runs a refresh on request, at most one at a time and at most once per `minIntervalMs`. */
export type Refresher = { request(): void };

/** Parameters of {@link createRefresher}. */
export type CreateRefresherParameters = {
  run: () => Promise<void>;
  minIntervalMs: number;
  /** Injected for tests. */
  now?: () => number;
  setTimer?: (callback: () => void, ms: number) => void;
};

/**
 * Coalesces refresh requests: while one runs or the interval has not passed, further requests
 * collapse into one trailing run. A burst of heads during a backfill thus costs a few queries, not
 * hundreds (the gateway rate-limits operations per client).
 */
export function createRefresher(parameters: CreateRefresherParameters): Refresher {
  const {
    run,
    minIntervalMs,
    now = Date.now,
    setTimer = (callback, ms) => setTimeout(callback, ms),
  } = parameters;
  let running = false;
  let scheduled = false;
  let pending = false;
  let lastStart = Number.NEGATIVE_INFINITY;
  const start = (): void => {
    scheduled = false;
    pending = false;
    running = true;
    lastStart = now();
    void run()
      .catch(() => undefined)
      .finally(() => {
        running = false;
        if (pending) schedule();
      });
  };
  const schedule = (): void => {
    if (scheduled) return;
    const wait = lastStart + minIntervalMs - now();
    if (wait <= 0) {
      start();
      return;
    }
    scheduled = true;
    setTimer(start, wait);
  };
  return {
    request() {
      if (running || scheduled) {
        pending = true;
        return;
      }
      schedule();
    },
  };
}
