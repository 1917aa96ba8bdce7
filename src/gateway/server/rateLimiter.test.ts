import { describe, expect, it } from 'vitest';
import { createLogThrottle } from './logThrottle.ts';
import { createLocalRateLimiter } from './rateLimiter.ts';

describe('local rate limiter', () => {
  it('allows at most the limit in the first minute of a steady client, not a burst plus refill', async () => {
    let time = 0;
    const limiter = createLocalRateLimiter({ limit: 60, now: () => time });
    let allowed = 0;
    // One attempt every 10 ms for a whole minute.
    for (; time < 60_000; time += 10) if ((await limiter.take('a')).allowed) allowed += 1;
    expect(allowed).toBe(60);
  });

  it('refuses until the window ends and says when, per client', async () => {
    let time = 0;
    const limiter = createLocalRateLimiter({ limit: 2, now: () => time });
    expect((await limiter.take('a')).allowed).toBe(true);
    time = 15_000;
    expect((await limiter.take('a')).allowed).toBe(true);
    expect(await limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect((await limiter.take('b')).allowed).toBe(true);
    time = 60_000;
    expect((await limiter.take('a')).allowed).toBe(true);
  });

  it('forgets the least recently used clients beyond maxKeys', async () => {
    const limiter = createLocalRateLimiter({ limit: 1, now: () => 0, maxKeys: 2 });
    expect((await limiter.take('a')).allowed).toBe(true);
    expect((await limiter.take('b')).allowed).toBe(true);
    expect((await limiter.take('c')).allowed).toBe(true);
    expect((await limiter.take('a')).allowed).toBe(true);
  });
});

describe('log throttle', () => {
  it('writes one line per interval and counts the suppressed ones', () => {
    let time = 0;
    const throttle = createLogThrottle({ intervalMs: 1_000, now: () => time });
    const lines: number[] = [];
    for (let i = 0; i < 5; i++) throttle((suppressed) => lines.push(suppressed));
    time = 1_000;
    throttle((suppressed) => lines.push(suppressed));
    expect(lines).toEqual([0, 4]);
  });
});
