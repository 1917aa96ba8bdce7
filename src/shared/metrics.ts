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
