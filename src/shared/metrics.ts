import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** The process-wide Prometheus registry every role registers its metrics on. */
export const metricsRegistry = new Registry();

let defaultsCollected = false;

/** Registers Node.js process metrics (CPU, RSS, event loop lag) once. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  registerProcessMetrics(metricsRegistry);
}

/**
 * Registers on `registry` the Node.js process metrics (prefixed `blockwire_`) and
 * `blockwire_memory_limit_bytes`, the limits resident memory and the V8 heap count against, so an
 * alert can compare usage with the limit of the process it comes from.
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, prefix: 'blockwire_' });
  new Gauge({
    name: 'blockwire_memory_limit_bytes',
    help: 'Memory the process may use: memory="rss" is the cgroup (container) limit, or the machine\'s memory when none is set; memory="heap" is the V8 heap limit (--max-old-space-size).',
    labelNames: ['memory'],
    registers: [registry],
    collect() {
      this.set({ memory: 'rss' }, residentMemoryLimit());
      this.set({ memory: 'heap' }, getHeapStatistics().heap_size_limit);
    },
  });
}

/**
 * The cgroup memory limit when one is set, else the machine's memory. Node reports "no limit" as 0
 * or as a huge number (2^64 or cgroup v1's page-rounded 2^63), hence the comparison with totalmem.
 */
function residentMemoryLimit(): number {
  const machine = totalmem();
  const constrained = process.constrainedMemory?.() ?? 0;
  return constrained > 0 && constrained < machine ? constrained : machine;
}

/**
 * Returns the metric registered under `name`, creating it with `create` the first time. Role
 * factories may run several times in one process (tests, `--role all`); prom-client refuses to
 * register a name twice.
 */
export function singleMetric<T>(name: string, create: () => T): T {
  return (metricsRegistry.getSingleMetric(name) as T | undefined) ?? create();
}
