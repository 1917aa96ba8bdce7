import { metricsRegistry } from '../../../src/shared/metrics.ts';

/** Sum of an in-process ingest metric's values matching `labels` (0 when absent). */
export async function ingestMetric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((value) =>
      Object.entries(labels).every(([key, expected]) => String(value.labels[key]) === expected),
    )
    .reduce((sum, value) => sum + value.value, 0);
}
