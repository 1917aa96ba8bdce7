import { Registry } from 'prom-client';
import { metricsRegistry, registerProcessMetrics } from '../shared/metrics.ts';

type Row = { name: string; type: string; labels: string[]; help: string };

/**
 * The metrics reference (docs/metrics.md) as Markdown: every metric the three roles register, then
 * the process-level metrics (Node.js runtime and memory limits) every role serves beside them.
 */
export async function renderMetricsReference(): Promise<string> {
  // Importing the roles' metric modules registers their metrics on the shared registry.
  await import('../ingest/metrics.ts');
  await import('../process/metrics.ts');
  await import('../gateway/metrics.ts');
  // A registry of its own, so rendering never starts collectors on the one the roles serve.
  const processRegistry = new Registry();
  registerProcessMetrics(processRegistry);
  const processLevel = await rowsOf(processRegistry);
  // `blockwire_process_` is also the prefix of Node's process metrics, should they be collected here.
  const processNames = new Set(processLevel.map((row) => row.name));
  const roles = (await rowsOf(metricsRegistry)).filter(
    (row) => /^blockwire_(ingest|process|gateway)_/.test(row.name) && !processNames.has(row.name),
  );
  return [
    '# Metrics reference',
    '',
    "<!-- Generated from the roles' metric definitions by `npm run docs:metrics`; a test fails when it drifts. -->",
    '',
    'Every role registers Prometheus metrics on one registry. Every process serves them at `GET /metrics`',
    'on its operations port (`ops.port`, or `METRICS_PORT`), and the gateway on its own port too. The alert rules and the Grafana',
    'dashboard under `ops/` use only the metrics listed here (a test checks it); see',
    '[operations](operations.md).',
    '',
    '## Role metrics',
    '',
    ...table(roles),
    '',
    '## Process metrics',
    '',
    'Served by every blockwire process, whatever roles it runs: Node.js runtime metrics (prom-client',
    'defaults with the `blockwire_` prefix; the `process_virtual_memory_bytes`, `process_heap_bytes` and',
    'file descriptor metrics exist on Linux only) and the memory limits the process counts against.',
    '',
    ...table(processLevel),
    '',
  ].join('\n');
}

async function rowsOf(registry: Registry): Promise<Row[]> {
  const metrics = await registry.getMetricsAsJSON();
  return metrics
    .map((metric) => ({
      name: metric.name,
      type: String(metric.type),
      labels:
        (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [],
      help: metric.help,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function table(rows: Row[]): string[] {
  return [
    '| metric | type | labels | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) =>
        `| \`${row.name}\` | ${row.type} | ${row.labels.map((label) => `\`${label}\``).join(', ')} | ${row.help} |`,
    ),
  ];
}
