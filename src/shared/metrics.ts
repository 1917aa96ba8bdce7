import { collectDefaultMetrics, Registry } from 'prom-client';

/** The process-wide Prometheus registry every role registers its metrics on. */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** Registers Node.js process metrics (CPU, RSS, event loop lag) once. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'blockwire_' });
}

/**
 * Returns the metric registered under `name`, creating it with `create` the first time. Role
 * factories may run several times in one process (tests, `--role all`); prom-client refuses to
 * register a name twice.
 */
export function singleMetric<T>(name: string, create: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? create();
}
