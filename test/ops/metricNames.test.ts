import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricNamesInPromQL } from '../../scripts/ops/metricNamesInPromQL.ts';
import { seriesNamesOfReference } from '../../scripts/ops/seriesNamesOfReference.ts';
import { repoRoot } from '../../src/dev-stack/paths.ts';

// The alert rules and the dashboard are only worth something if they query series blockwire
// serves: a renamed metric would leave an alert that can never fire and an empty panel.
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const reference = seriesNamesOfReference(read('docs/metrics.md'));
/** Series Prometheus records itself for every scrape target. */
const prometheusSeries = new Set(['up']);

type AlertRules = { groups: { name: string; rules: { alert: string; expr: string }[] }[] };

/** Every PromQL expression of a Grafana dashboard: panel targets, annotations, variable queries. */
function dashboardExpressions(dashboard: unknown): string[] {
  const found: string[] = [];
  const visit = (node: unknown, key?: string) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    else if (node && typeof node === 'object') {
      for (const [childKey, child] of Object.entries(node)) visit(child, childKey);
    } else if (typeof node === 'string' && (key === 'expr' || key === 'definition')) found.push(node);
  };
  visit(dashboard);
  return found;
}

/** Metric names used by `expressions` that the metrics reference does not list. */
function unknownMetricNames(expressions: string[], known: Set<string>): string[] {
  const names = expressions.flatMap(metricNamesInPromQL);
  return [...new Set(names.filter((name) => !known.has(name) && !prometheusSeries.has(name)))];
}

const alerts = parse(read('ops/prometheus/alerts.yml')) as AlertRules;
const alertExpressions = alerts.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
const dashboard = JSON.parse(read('ops/grafana/blockwire.json')) as unknown;

describe('metric names in the alert rules and the Grafana dashboard', () => {
  it('reads the metrics reference, with the series a histogram is stored as', () => {
    expect(reference.has('blockwire_ingest_lag_blocks')).toBe(true);
    expect(reference.has('blockwire_gateway_delivery_latency_seconds_bucket')).toBe(true);
    expect(reference.has('blockwire_gateway_delivery_latency_seconds')).toBe(false);
    expect(reference.has('blockwire_process_resident_memory_bytes')).toBe(true);
    expect(reference.has('blockwire_memory_limit_bytes')).toBe(true);
  });

  it('finds the metric names of PromQL expressions, not functions, labels, durations or variables', () => {
    expect(
      metricNamesInPromQL(
        'histogram_quantile(0.99, sum by (instance, le) (rate(blockwire_gateway_delivery_latency_seconds_bucket{job=~"$job"}[$__rate_interval]))) > 0.5',
      ),
    ).toEqual(['blockwire_gateway_delivery_latency_seconds_bucket']);
    expect(
      metricNamesInPromQL(
        '(blockwire_ingest_lag_blocks > 1e9) and on(job, instance, chain_id) (blockwire_ingest_leader == 1)',
      ),
    ).toEqual(['blockwire_ingest_lag_blocks', 'blockwire_ingest_leader']);
    expect(
      metricNamesInPromQL(
        'a_total > 0 unless a_total offset 15m or b / ignoring(memory) group_left c{d="e"}',
      ),
    ).toEqual(['a_total', 'b', 'c']);
    expect(metricNamesInPromQL('label_values(blockwire_ingest_head_block, chain_id)')).toEqual([
      'blockwire_ingest_head_block',
    ]);
  });

  it('alerts.yml uses only metrics of the metrics reference', () => {
    expect(alertExpressions.length).toBeGreaterThanOrEqual(8);
    expect(unknownMetricNames(alertExpressions, reference)).toEqual([]);
  });

  it('the dashboard queries only metrics of the metrics reference', () => {
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThan(30);
    expect(unknownMetricNames(expressions, reference)).toEqual([]);
  });

  it('catches a misspelt metric, a histogram queried by its bare name and a gauge queried as a histogram', () => {
    const broken = JSON.parse(
      JSON.stringify(dashboard).replace('blockwire_ingest_events_total', 'blockwire_ingest_event_total'),
    ) as unknown;
    expect(unknownMetricNames(dashboardExpressions(broken), reference)).toEqual([
      'blockwire_ingest_event_total',
    ]);
    expect(
      unknownMetricNames(
        [
          'rate(blockwire_process_apply_seconds[5m])',
          'histogram_quantile(0.9, rate(blockwire_ingest_lag_blocks_bucket[5m]))',
          'blockwire_process_partition_lag > 10000',
        ],
        reference,
      ),
    ).toEqual(['blockwire_process_apply_seconds', 'blockwire_ingest_lag_blocks_bucket']);
  });
});
