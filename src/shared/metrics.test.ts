import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerProcessMetrics } from './metrics.ts';

describe('process metrics', () => {
  it('report the memory limits resident memory and the V8 heap count against', async () => {
    const registry = new Registry();
    registerProcessMetrics(registry);
    const limits = await registry.getSingleMetric('blockwire_memory_limit_bytes')!.get();
    const limit = (memory: string) => limits.values.find((value) => value.labels.memory === memory)?.value;
    // The cgroup limit when one is set, else the machine's memory; never "unlimited" (2^64).
    expect(limit('rss')).toBeGreaterThan(0);
    expect(limit('rss')).toBeLessThanOrEqual(totalmem());
    expect(limit('heap')).toBe(getHeapStatistics().heap_size_limit);
    const rss = await registry.getSingleMetric('blockwire_process_resident_memory_bytes')!.get();
    expect(rss.values[0]!.value / limit('rss')!).toBeLessThan(1);
  });
});
