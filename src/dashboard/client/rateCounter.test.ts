import { describe, expect, it } from 'vitest';
import { createRateCounter } from './rateCounter.ts';

describe('createRateCounter', () => {
  it('counts events per whole second over the window, oldest first', () => {
    const rate = createRateCounter({ windowSeconds: 3 });
    rate.record(10_100);
    rate.record(10_900);
    rate.record(11_500, 3);
    expect(rate.series(12_000)).toEqual([2, 3, 0]);
    expect(rate.perSecond(12_000)).toBe(3);
  });

  it('forgets seconds that left the window', () => {
    const rate = createRateCounter({ windowSeconds: 3 });
    rate.record(10_000, 5);
    expect(rate.series(12_999)).toEqual([5, 0, 0]);
    expect(rate.series(13_000)).toEqual([0, 0, 0]);
  });
});
