import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry, singleMetric } from '../shared/metrics.ts';

// Created once at module level: createIngest may be called several times in one process (tests).
function counter(name: string, help: string, labelNames: string[]): Counter<string> {
  return singleMetric(name, () => new Counter({ name, help, labelNames, registers: [metricsRegistry] }));
}
function gauge(name: string, help: string, labelNames: string[]): Gauge<string> {
  return singleMetric(name, () => new Gauge({ name, help, labelNames, registers: [metricsRegistry] }));
}
function histogram(name: string, help: string, labelNames: string[], buckets: number[]): Histogram<string> {
  return singleMetric(
    name,
    () => new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] }),
  );
}

/** Prometheus metrics of the ingest role, labelled by chain id. */
export const ingestMetrics = {
  head: gauge(
    'blockwire_ingest_head_block',
    'Latest head block the ingestor has taken in (reorgs up to it handled)',
    ['chain_id'],
  ),
  confirmed: gauge('blockwire_ingest_confirmed_block', 'Last block published to events.confirmed', [
    'chain_id',
  ]),
  lag: gauge('blockwire_ingest_lag_blocks', 'Head minus last confirmed block', ['chain_id']),
  reorgs: counter('blockwire_ingest_reorgs_total', 'Reorgs detected, by depth and kind (shallow|deep)', [
    'chain_id',
    'depth',
    'kind',
  ]),
  rpcCalls: counter('blockwire_ingest_rpc_calls_total', 'JSON-RPC calls by method', ['chain_id', 'method']),
  rpcErrors: counter('blockwire_ingest_rpc_errors_total', 'Failed JSON-RPC calls by method and kind', [
    'chain_id',
    'method',
    'kind',
  ]),
  backfillBlocks: gauge('blockwire_ingest_backfill_blocks_done', 'Blocks backfilled so far', ['chain_id']),
  backfillTarget: gauge('blockwire_ingest_backfill_blocks_total', 'Blocks to backfill in this run', [
    'chain_id',
  ]),
  backfillLogs: counter('blockwire_ingest_backfill_logs_total', 'Logs published by the backfill', [
    'chain_id',
  ]),
  backfillRange: gauge('blockwire_ingest_backfill_range_blocks', 'Current adaptive eth_getLogs range', [
    'chain_id',
  ]),
  publishLatency: histogram(
    'blockwire_ingest_publish_seconds',
    'Duration of one Kafka transaction (events + checkpoint)',
    ['chain_id'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  ),
  events: counter('blockwire_ingest_events_total', 'Events published, by topic and status', [
    'chain_id',
    'topic',
    'status',
  ]),
  undecoded: counter('blockwire_ingest_undecoded_logs_total', 'Logs published with decoded: false', [
    'chain_id',
  ]),
  headsMode: gauge('blockwire_ingest_heads_websocket', '1 while heads come over WebSocket, 0 while polling', [
    'chain_id',
  ]),
  leader: gauge('blockwire_ingest_leader', '1 while this instance holds the chain lock', ['chain_id']),
};
