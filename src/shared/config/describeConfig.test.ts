import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeConfig, renderConfigReference } from './describeConfig.ts';

describe('configuration reference', () => {
  it('documents every field with a description', () => {
    const fields = describeConfig();
    expect(fields.map((field) => field.path)).toContain('chains[].contracts[].address');
    expect(fields.filter((field) => !field.description).map((field) => field.path)).toEqual([]);
  });

  it('docs/configuration.md matches the schema (run `npm run docs:config` after changing it)', () => {
    const file = readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    expect(file).toBe(renderConfigReference());
  });
});
