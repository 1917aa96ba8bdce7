import { describe, expect, it } from 'vitest';
import { createRangeSizer } from './index.ts';

describe('createRangeSizer', () => {
  it('halves below a refused range and never goes under one block', () => {
    const sizer = createRangeSizer({ max: 1000 });
    sizer.refused(1000);
    expect(sizer.size()).toBe(500);
    sizer.refused(300);
    expect(sizer.size()).toBe(150);
    for (let i = 0; i < 20; i++) sizer.refused(sizer.size());
    expect(sizer.size()).toBe(1);
  });

  it('grows after successes in a row, up to the maximum', () => {
    const sizer = createRangeSizer({ max: 100, initial: 10 });
    for (let i = 0; i < 3; i++) sizer.succeeded(10);
    expect(sizer.size()).toBe(15);
    for (let i = 0; i < 100; i++) sizer.succeeded(sizer.size());
    expect(sizer.size()).toBe(100);
  });

  it('does not grow on successes of ranges much smaller than the current size', () => {
    const sizer = createRangeSizer({ max: 100, initial: 40 });
    for (let i = 0; i < 10; i++) sizer.succeeded(5);
    expect(sizer.size()).toBe(40);
  });

  it('a refusal resets the success streak', () => {
    const sizer = createRangeSizer({ max: 1000, initial: 100 });
    sizer.succeeded(100);
    sizer.succeeded(100);
    sizer.refused(100);
    sizer.succeeded(50);
    expect(sizer.size()).toBe(50);
  });
});
