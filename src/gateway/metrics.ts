import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry, singleMetric } from '../shared/metrics.ts';

/** Gateway metrics, created once per process on the shared registry. */
export const gatewayMetrics = {
  connections: singleMetric(
    'blockwire_gateway_open_connections',
    () =>
      new Gauge({
        name: 'blockwire_gateway_open_connections',
        help: 'Open subscription connections by transport (ws, sse).',
        labelNames: ['transport'],
        registers: [metricsRegistry],
      }),
  ),
  subscriptions: singleMetric(
    'blockwire_gateway_active_subscriptions',
    () =>
      new Gauge({
        name: 'blockwire_gateway_active_subscriptions',
        help: 'Subscriptions currently streaming.',
        labelNames: ['field'],
        registers: [metricsRegistry],
      }),
  ),
  delivered: singleMetric(
    'blockwire_gateway_events_delivered_total',
    () =>
      new Counter({
        name: 'blockwire_gateway_events_delivered_total',
        help: 'Events handed to subscribers, by source (replay, live).',
        labelNames: ['source'],
        registers: [metricsRegistry],
      }),
  ),
  slowConsumers: singleMetric(
    'blockwire_gateway_slow_consumer_closes_total',
    () =>
      new Counter({
        name: 'blockwire_gateway_slow_consumer_closes_total',
        help: 'Subscriptions closed because the client did not keep up (buffer full).',
        registers: [metricsRegistry],
      }),
  ),
  subscriberInterruptions: singleMetric(
    'blockwire_gateway_subscriber_interruptions_total',
    () =>
      new Counter({
        name: 'blockwire_gateway_subscriber_interruptions_total',
        help: 'Times the Redis subscriber connection was lost; the live subscriptions open then were closed with SUBSCRIPTION_INTERRUPTED and a resume token.',
        registers: [metricsRegistry],
      }),
  ),
  stalePendingDropped: singleMetric(
    'blockwire_gateway_stale_pending_dropped_total',
    () =>
      new Counter({
        name: 'blockwire_gateway_stale_pending_dropped_total',
        help: 'PENDING events not delivered because their block was already confirmed for the contract (once per subscription).',
        registers: [metricsRegistry],
      }),
  ),
  latency: singleMetric(
    'blockwire_gateway_delivery_latency_seconds',
    () =>
      new Histogram({
        name: 'blockwire_gateway_delivery_latency_seconds',
        help: 'From channel message receipt to hand-off to the subscriber transport: per delivery, or once per message for the subscriptions of a shared live path (until its last subscriber).',
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [metricsRegistry],
      }),
  ),
  rejected: singleMetric(
    'blockwire_gateway_rejected_requests_total',
    () =>
      new Counter({
        name: 'blockwire_gateway_rejected_requests_total',
        help: 'Requests or operations rejected by a protection, by reason.',
        labelNames: ['reason'],
        registers: [metricsRegistry],
      }),
  ),
};
