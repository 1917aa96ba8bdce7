import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.ts';
import { printSchemaFromConfig } from '../../src/gateway/printSchema.ts';
import { loadConfig } from '../../src/shared/config/index.ts';
import { exampleConfigPath } from './support/startTestGateway.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('committed schema and generated client documents', () => {
  it('schema/schema.graphql matches the schema printed from examples/blockwire.yaml', () => {
    const committed = readFileSync(`${root}schema/schema.graphql`, 'utf8');
    // An empty environment: `${VAR:-default}` URLs must not leak the machine's settings into the SDL.
    const printed = printSchemaFromConfig(loadConfig(exampleConfigPath, {}));
    expect(printed, 'schema drifted: run `npm run schema:print` and commit schema/schema.graphql').toBe(
      committed,
    );
  });

  it('test/gateway/generated is what codegen.ts produces from the committed schema', async () => {
    const previous = process.cwd();
    process.chdir(root);
    try {
      const outputs = await generate({ ...codegenConfig, silent: true }, false);
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        const committed = readFileSync(`${root}${output.filename}`, 'utf8');
        expect(committed, `${output.filename} is stale: run \`npm run codegen\``).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
