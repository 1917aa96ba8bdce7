import { describe, expect, it } from 'vitest';
import { createLimiter } from './createLimiter.ts';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createLimiter', () => {
  it('keeps at most `limit` calls in flight and starts the waiting ones in arrival order', async () => {
    const limit = createLimiter(2);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const calls = [0, 1, 2, 3, 4].map((n) =>
      limit(async () => {
        started.push(n);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => releases.push(resolve));
        inFlight--;
        return n;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    releases[1]!();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    while (releases.length < 5) {
      for (const release of releases) release();
      await tick();
    }
    for (const release of releases) release();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot of a call that fails', async () => {
    const limit = createLimiter(1);
    await expect(limit(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit(async () => 'next')).toBe('next');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => createLimiter(0)).toThrow('limit must be a positive integer, got 0');
  });
});
