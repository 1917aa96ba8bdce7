import { describe, expect, it } from 'vitest';
import { createRefresher } from './createRefresher.ts';

function setup(minIntervalMs: number) {
  let clock = 0;
  const timers: { at: number; callback: () => void }[] = [];
  const runs: number[] = [];
  let finish: () => void = () => {};
  const refresher = createRefresher({
    minIntervalMs,
    now: () => clock,
    setTimer: (callback, ms) => timers.push({ at: clock + ms, callback }),
    run: () => {
      runs.push(clock);
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    },
  });
  const advance = async (ms: number) => {
    clock += ms;
    for (const timer of timers.splice(0).filter((t) => t.at <= clock)) timer.callback();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  const complete = async () => {
    finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
  return { refresher, runs, advance, complete, timers };
}

describe('createRefresher', () => {
  it('runs at once when idle', () => {
    const { refresher, runs } = setup(500);
    refresher.request();
    expect(runs).toEqual([0]);
  });

  it('collapses a burst of requests into one trailing run after the interval', async () => {
    const { refresher, runs, advance, complete } = setup(500);
    refresher.request();
    for (let i = 0; i < 100; i++) refresher.request();
    await advance(10);
    await complete();
    expect(runs).toEqual([0]);
    await advance(490);
    expect(runs).toEqual([0, 500]);
    await complete();
    await advance(1_000);
    expect(runs).toEqual([0, 500]);
  });
});
