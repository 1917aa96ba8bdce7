import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clampKafkaRequestQueueTimer, kafkajsRequestQueueModule } from './kafkaRequestQueueTimer.ts';

type Queue = {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

const RequestQueue = createRequire(import.meta.url)(kafkajsRequestQueueModule) as new (
  options: Record<string, unknown>,
) => Queue;

function queue(): Queue {
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    clientId: 'test',
    broker: 'b',
    logger,
  });
}

describe('clampKafkaRequestQueueTimer', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is in place for the installed kafkajs', () => {
    expect(clampKafkaRequestQueueTimer()).toBe(true);
  });

  it('never schedules the pending-requests check with a negative delay (Node prints TimeoutNegativeWarning)', () => {
    clampKafkaRequestQueueTimer();
    const delays: number[] = [];
    const original = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((callback: () => void, delay?: number) => {
      delays.push(delay ?? 0);
      return original(callback, 0);
    }) as typeof setTimeout);
    const idle = queue();
    idle.scheduleCheckPendingRequests();
    expect(delays).toEqual([1]);
    clearTimeout(idle.throttleCheckTimeoutId!);

    // Throttled with requests waiting: checked when the throttle ends, as kafkajs does.
    const throttled = queue();
    throttled.pending.push({});
    throttled.throttledUntil = Date.now() + 5_000;
    throttled.checkPendingRequests = () => {};
    throttled.scheduleCheckPendingRequests();
    expect(delays[1]).toBeGreaterThan(4_000);
    expect(delays[1]).toBeLessThanOrEqual(5_000);
    // Not throttled with requests waiting: kafkajs's 10 ms interval.
    const waiting = queue();
    waiting.pending.push({});
    waiting.checkPendingRequests = () => {};
    waiting.scheduleCheckPendingRequests();
    expect(delays[2]).toBe(10);
    for (const q of [throttled, waiting]) clearTimeout(q.throttleCheckTimeoutId!);
  });
});
