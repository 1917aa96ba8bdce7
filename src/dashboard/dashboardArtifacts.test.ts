import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { buildDashboard } from './buildDashboard.ts';
import config from './codegen.ts';

describe('committed dashboard artifacts', () => {
  it('the committed bundle matches a fresh build of src/dashboard/client', async () => {
    const fresh = await buildDashboard({ write: false });
    const committed = readFileSync(new URL('./dist/dashboard.js', import.meta.url), 'utf8');
    // On failure run: npx tsx src/dashboard/buildDashboard.ts
    expect(
      committed === fresh,
      'src/dashboard/dist/dashboard.js is stale: run npx tsx src/dashboard/buildDashboard.ts',
    ).toBe(true);
  });

  it('the generated typed documents match the schema and src/dashboard/documents', async () => {
    const outputs = (await generate({ ...config, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      // On failure run: npx graphql-codegen --config src/dashboard/codegen.ts (then rebuild the bundle)
      expect(readFileSync(filename, 'utf8'), `${filename} is stale`).toBe(content);
    }
  }, 60_000);
});
