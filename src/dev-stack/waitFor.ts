import { StackError } from '../shared/errors/index.ts';

/** Parameters of {@link waitFor}. */
export type WaitForParameters = {
  /** What is awaited, used in the timeout message, e.g. `Kafka on 127.0.0.1:9092`. */
  description: string;
  /** Give up after this many milliseconds. Default 60 000. */
  timeoutMs?: number;
  /** Pause between attempts. Default 200. */
  intervalMs?: number;
  /** Checked before every attempt: a reason to stop waiting early (e.g. the process exited). */
  abort?: () => string | undefined;
};

/**
 * Calls `check` until it returns a value other than `undefined`/`false` (a throw counts as "not yet")
 * and returns that value, or throws a `StackError` after the timeout naming the last failure.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  parameters: WaitForParameters,
): Promise<T> {
  const { description, timeoutMs = 60_000, intervalMs = 200, abort } = parameters;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = abort?.();
    if (reason) throw new StackError(`Gave up waiting for ${description}: ${reason}`, { cause: lastError });
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new StackError(`Timed out after ${timeoutMs} ms waiting for ${description}`, {
        details: lastError instanceof Error ? `Last error: ${lastError.message}` : undefined,
        cause: lastError,
        retriable: true,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
