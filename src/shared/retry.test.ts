import { describe, expect, it } from 'vitest';
import { BaseError } from './errors/index.ts';
import { backoffDelay, withRetry } from './retry.ts';

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
