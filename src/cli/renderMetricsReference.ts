import { metricsRegistry } from '../shared/metrics.ts';

/**
 * The metrics reference (docs/metrics.md) as Markdown, listing every metric the three roles register
 * (process-level Node.js metrics excluded).
 */
export async function renderMetricsReference(): Promise<string> {
  // Importing the roles' metric modules registers their metrics on the shared registry.
  await import('../ingest/metrics.ts');
  await import('../process/metrics.ts');
  await import('../gateway/metrics.ts');
  const metrics = (await metricsRegistry.getMetricsAsJSON())
    .filter((metric) => /^blockwire_(ingest|process|gateway)_/.test(metric.name))
    .sort((a, b) => a.name.localeCompare(b.name));
  const rows = metrics.map((metric) => {
    const labels =
      (metricsRegistry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    return `| \`${metric.name}\` | ${metric.type} | ${labels.map((label) => `\`${label}\``).join(', ')} | ${metric.help} |`;
  });
  return [
    '# Metrics reference',
    '',
    "<!-- Generated from the roles' metric definitions by `npm run docs:metrics`; a test fails when it drifts. -->",
    '',
    'Every role registers Prometheus metrics on one registry. The gateway serves them at `GET /metrics`',
    '(together with Node.js process metrics prefixed `blockwire_`, such as CPU, RSS and event-loop lag).',
    '',
    '| metric | type | labels | meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
