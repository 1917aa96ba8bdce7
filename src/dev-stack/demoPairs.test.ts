import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { demoPairProjections } from './demoPairs.ts';
import { repoRoot } from './paths.ts';

describe('demo pairs', () => {
  it('follows the pairs with the projections of the Pair template of examples/blockwire.yaml', () => {
    const example = parseYaml(readFileSync(join(repoRoot, 'examples/blockwire.yaml'), 'utf8')) as {
      chains: { contracts: { name: string; factory?: unknown; projections?: unknown }[] }[];
    };
    const pair = example.chains[0]!.contracts.find((contract) => contract.name === 'Pair');
    expect(pair?.factory).toBeDefined();
    expect(demoPairProjections).toEqual(pair?.projections);
  });
});
