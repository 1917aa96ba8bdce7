import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { demoMarketProjections } from './demoMarket.ts';
import { repoRoot } from './paths.ts';

describe('demo Market', () => {
  it('follows the Market with the projections of examples/blockwire.yaml', () => {
    const example = parseYaml(readFileSync(join(repoRoot, 'examples/blockwire.yaml'), 'utf8')) as {
      chains: { contracts: { name: string; projections?: unknown }[] }[];
    };
    const market = example.chains[0]!.contracts.find((contract) => contract.name === 'Market');
    expect(demoMarketProjections).toEqual(market?.projections);
  });
});
