import { setTimeout as sleep } from 'node:timers/promises';

/** Parameters of {@link withRetry}. */
export type RetryParameters = {
  /** Attempts in total, including the first. Infinity retries until `signal` aborts. */
  retries?: number;
  /** First delay in ms; doubles each attempt. */
  initialDelayMs?: number;
  /** Upper bound of a delay in ms. */
  maxDelayMs?: number;
  /** Decides whether an error may be retried; defaults to the error's `retriable` flag. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, for logging and metrics. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
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

/** Runs `fn` and retries retriable failures with exponential backoff and jitter. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  parameters: RetryParameters = {},
): Promise<T> {
  const {
    retries = 8,
    initialDelayMs = 100,
    maxDelayMs = 10_000,
    shouldRetry = isRetriable,
    onRetry,
    signal,
  } = parameters;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= retries || !shouldRetry(error, attempt) || signal?.aborted) throw error;
      const delayMs = backoffDelay(attempt, initialDelayMs, maxDelayMs);
      onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, undefined, signal ? { signal } : undefined);
    }
  }
}
