import { describe, expect, it } from 'vitest';
import { createSeededRandom } from './createSeededRandom.ts';

describe('createSeededRandom', () => {
  it('repeats the sequence for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const random = createSeededRandom(seed);
      return Array.from({ length: 20 }, () => random.int(0, 1_000_000));
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('keeps int() within the inclusive bounds and reaches both ends', () => {
    const random = createSeededRandom(1);
    const values = new Set(Array.from({ length: 2_000 }, () => random.int(3, 6)));
    expect([...values].sort()).toEqual([3, 4, 5, 6]);
  });
});
