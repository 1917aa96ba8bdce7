import { createRequire } from 'node:module';

/** The kafkajs module of a connection's request queue (kafkajs 2.x). */
export const kafkajsRequestQueueModule = 'kafkajs/src/network/requestQueue/index.js';

type RequestQueue = {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

/** kafkajs's interval for checking pending requests when it is not throttled. */
const checkPendingRequestsIntervalMs = 10;

/**
 * Keeps kafkajs's request queue from calling `setTimeout` with a negative delay. When nothing is
 * throttled, its `scheduleCheckPendingRequests` passes `-1 - Date.now()`. Node clamps that to 1 ms,
 * but Node 23 and later also print a `TimeoutNegativeWarning` on every process that talks to Kafka.
 * The replacement does what the original does, with the delay clamped to 1 ms itself. Returns whether
 * it is in place: a kafkajs laid out differently keeps its own method (and its warning).
 */
export function clampKafkaRequestQueueTimer(): boolean {
  const require = createRequire(import.meta.url);
  let RequestQueue: { prototype: RequestQueue } | undefined;
  try {
    RequestQueue = require(kafkajsRequestQueueModule) as { prototype: RequestQueue };
  } catch {
    return false;
  }
  if (typeof RequestQueue?.prototype?.scheduleCheckPendingRequests !== 'function') return false;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
    let scheduleAt = this.throttledUntil - Date.now();
    if (this.throttleCheckTimeoutId) return;
    if (this.pending.length > 0) scheduleAt = scheduleAt > 0 ? scheduleAt : checkPendingRequestsIntervalMs;
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(1, scheduleAt),
    );
  };
  return true;
}
