import { describe, expect, it } from 'vitest';
import { BaseError } from './errors/index.ts';
import { backoffDelay, retryUntilAborted, withRetry } from './retry.ts';

const retriable = () => new BaseError('flaky', { code: 'FLAKY', retriable: true });

describe('withRetry', () => {
  it('retries retriable errors until the call succeeds', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw retriable();
        return 'ok';
      },
      { initialDelayMs: 1 },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry a non-retriable error', async () => {
    let calls = 0;
    const fatal = new BaseError('bad request', { code: 'BAD' });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw fatal;
        },
        { initialDelayMs: 1 },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('gives up after the configured attempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw retriable();
        },
        { retries: 4, initialDelayMs: 1 },
      ),
    ).rejects.toThrow('flaky');
    expect(calls).toBe(4);
  });
});

describe('withRetry and an abort signal', () => {
  it('stops waiting as soon as the signal aborts and rejects with its reason', async () => {
    const controller = new AbortController();
    const reason = new Error('role stopping');
    let calls = 0;
    const result = withRetry(
      async () => {
        calls++;
        throw retriable();
      },
      {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 3_600_000,
        // Abort once withRetry has started its (hour-long) wait before the second attempt.
        onRetry: () => setImmediate(() => controller.abort(reason)),
        signal: controller.signal,
      },
    );
    await expect(result).rejects.toBe(reason);
    expect(calls).toBe(1);
  });

  it('starts no attempt once the signal aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stopped'));
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          return 'ran';
        },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('stopped');
    expect(calls).toBe(0);
  });

  it('stops at once on a non-retriable error even with unlimited retries', async () => {
    const fatal = new BaseError('not authorized', { code: 'DENIED' });
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw fatal;
        },
        { retries: Number.POSITIVE_INFINITY, signal: new AbortController().signal },
      ),
    ).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('starts the backoff over after an attempt that ran longer than resetAfterMs', async () => {
    const attempts: number[] = [];
    let calls = 0;
    await withRetry(
      async () => {
        calls++;
        if (calls === 3) await new Promise((resolve) => setTimeout(resolve, 20));
        if (calls < 5) throw retriable();
      },
      {
        retries: 4,
        initialDelayMs: 1,
        resetAfterMs: 10,
        onRetry: (_error, attempt) => attempts.push(attempt),
      },
    );
    // Without the reset the fourth failure would exhaust the 4 attempts.
    expect(attempts).toEqual([1, 2, 1, 2]);
    expect(calls).toBe(5);
  });
});

describe('retryUntilAborted', () => {
  it('retries until the signal aborts, then resolves with undefined', async () => {
    const controller = new AbortController();
    let calls = 0;
    const result = await retryUntilAborted(
      async () => {
        calls++;
        if (calls === 20) controller.abort();
        throw retriable();
      },
      { initialDelayMs: 1, maxDelayMs: 1, signal: controller.signal },
    );
    expect(result).toBeUndefined();
    expect(calls).toBe(20);
  });

  it('rejects with an error that may not be retried', async () => {
    const fatal = new BaseError('bad config', { code: 'BAD' });
    await expect(
      retryUntilAborted(
        async () => {
          throw fatal;
        },
        { signal: new AbortController().signal },
      ),
    ).rejects.toBe(fatal);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially within jitter bounds and respects the ceiling', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(5000, 100 * 2 ** (attempt - 1));
      const delay = backoffDelay(attempt, 100, 5000);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});
