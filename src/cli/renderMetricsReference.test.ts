import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderMetricsReference } from './renderMetricsReference.ts';

describe('metrics reference', () => {
  it('docs/metrics.md lists every metric of the roles (run `npm run docs:metrics` after changing one)', async () => {
    const rendered = await renderMetricsReference();
    expect(rendered).toMatch(/blockwire_ingest_/);
    expect(rendered).toMatch(/blockwire_process_/);
    expect(rendered).toMatch(/blockwire_gateway_/);
    expect(readFileSync(join(import.meta.dirname, '../../docs/metrics.md'), 'utf8')).toBe(rendered);
  });
});
