/** Parameters of {@link withRetry}. */
export type RetryParameters = {
  /** Attempts in total, including the first. Infinity retries until `signal` aborts. */
  retries?: number;
  /** First delay in ms; doubles each attempt. */
  initialDelayMs?: number;
  /** Upper bound of a delay in ms. */
  maxDelayMs?: number;
  /**
   * An attempt that ran at least this long before failing counts as a first attempt again (the
   * backoff and the attempt budget start over): a long-running loop that fails once a day should not
   * wait as if it had failed every time. Default: never.
   */
  resetAfterMs?: number;
  /** Decides whether an error may be retried; defaults to the error's `retriable` flag. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /**
   * Stops the retries: no attempt starts once it aborted, and a wait ends as soon as it aborts. The
   * call then rejects with `signal.reason`.
   */
  signal?: AbortSignal;
};

/** Full-jitter exponential backoff delay for an attempt (1-based). */
export function backoffDelay(attempt: number, initialDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** Waits `ms`, or less if `signal` aborts; never rejects, and leaves no listener behind. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `fn` and retries failures that `shouldRetry` accepts, with exponential backoff and jitter.
 * Rejects with the first error that may not be retried, with the last error once `retries` attempts
 * failed, or with `signal.reason` as soon as the signal aborts (also while waiting).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  parameters: RetryParameters = {},
): Promise<T> {
  const {
    retries = 8,
    initialDelayMs = 100,
    maxDelayMs = 10_000,
    resetAfterMs = Number.POSITIVE_INFINITY,
    shouldRetry = isRetriable,
    onRetry,
    signal,
  } = parameters;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const startedAt = Date.now();
    try {
      return await fn(attempt);
    } catch (error) {
      signal?.throwIfAborted();
      if (Date.now() - startedAt >= resetAfterMs) attempt = 1;
      if (attempt >= retries || !shouldRetry(error, attempt)) throw error;
      const delayMs = backoffDelay(attempt, initialDelayMs, maxDelayMs);
      onRetry?.(error, attempt, delayMs);
      await wait(delayMs, signal);
    }
  }
}

/**
 * {@link withRetry} for loops that run until they are stopped: retries forever unless `retries` is
 * given, and resolves with `undefined` instead of rejecting when `signal` aborts. Still rejects with
 * an error that may not be retried.
 */
export async function retryUntilAborted<T>(
  fn: (attempt: number) => Promise<T>,
  parameters: RetryParameters & { signal: AbortSignal },
): Promise<T | undefined> {
  try {
    return await withRetry(fn, { retries: Number.POSITIVE_INFINITY, ...parameters });
  } catch (error) {
    if (parameters.signal.aborted) return undefined;
    throw error;
  }
}
