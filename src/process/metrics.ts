import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry, singleMetric } from '../shared/metrics.ts';

/** Prometheus metrics of the process role (created once per process, shared by all processors). */
export const processMetrics = {
  applied: singleMetric(
    'blockwire_process_events_applied_total',
    () =>
      new Counter({
        name: 'blockwire_process_events_applied_total',
        help: 'Events applied to Redis (projection, journal, publish), by status',
        labelNames: ['status'],
        registers: [metricsRegistry],
      }),
  ),
  duplicates: singleMetric(
    'blockwire_process_duplicates_skipped_total',
    () =>
      new Counter({
        name: 'blockwire_process_duplicates_skipped_total',
        help: 'Redelivered or re-produced events the apply script dropped',
        registers: [metricsRegistry],
      }),
  ),
  unreversible: singleMetric(
    'blockwire_process_removed_unknown_total',
    () =>
      new Counter({
        name: 'blockwire_process_removed_unknown_total',
        help: 'REMOVED events whose original is outside the reorg window (nothing reversed)',
        registers: [metricsRegistry],
      }),
  ),
  stalePending: singleMetric(
    'blockwire_process_stale_pending_dropped_total',
    () =>
      new Counter({
        name: 'blockwire_process_stale_pending_dropped_total',
        help: 'PENDING events not published because their id or block was already confirmed',
        registers: [metricsRegistry],
      }),
  ),
  dlq: singleMetric(
    'blockwire_process_dlq_total',
    () =>
      new Counter({
        name: 'blockwire_process_dlq_total',
        help: 'Messages sent to the dead-letter topic, by source topic',
        labelNames: ['topic'],
        registers: [metricsRegistry],
      }),
  ),
  rebuilds: singleMetric(
    'blockwire_process_rebuilds_total',
    () =>
      new Counter({
        name: 'blockwire_process_rebuilds_total',
        help: 'Replays of events.confirmed from the beginning after the epoch marker went missing or changed',
        registers: [metricsRegistry],
      }),
  ),
  rebuilding: singleMetric(
    'blockwire_process_rebuilding',
    () =>
      new Gauge({
        name: 'blockwire_process_rebuilding',
        help: '1 while this instance replays events.confirmed to rebuild the projection',
        registers: [metricsRegistry],
      }),
  ),
  redisErrors: singleMetric(
    'blockwire_process_redis_errors_total',
    () =>
      new Counter({
        name: 'blockwire_process_redis_errors_total',
        help: 'Failed Redis round trips (retried with backoff)',
        registers: [metricsRegistry],
      }),
  ),
  lag: singleMetric(
    'blockwire_process_partition_lag',
    () =>
      new Gauge({
        name: 'blockwire_process_partition_lag',
        help: 'Kafka records behind the high watermark after the last batch, per partition (a packed record of events.confirmed holds up to kafka.eventsPerRecord events)',
        labelNames: ['topic', 'partition'],
        registers: [metricsRegistry],
      }),
  ),
  applySeconds: singleMetric(
    'blockwire_process_apply_seconds',
    () =>
      new Histogram({
        name: 'blockwire_process_apply_seconds',
        help: 'Time to apply one pipelined chunk of events in Redis',
        buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [metricsRegistry],
      }),
  ),
};
