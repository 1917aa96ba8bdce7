import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ContractArtifacts, compileContracts } from './compileContracts.ts';
import { pairAbi, pairFactoryAbi } from './factoryContracts.ts';
import { repoRoot } from './paths.ts';

function exampleAbi(file: string): unknown {
  return JSON.parse(readFileSync(join(repoRoot, 'examples/abis', file), 'utf8'));
}

/**
 * An ABI without what solc writes and a human-readable ABI leaves out (internal types, empty names,
 * `indexed: false`, `anonymous: false`), its entries sorted: two ABIs describing the same contract
 * interface compare equal.
 */
function canonical(abi: readonly unknown[]): unknown[] {
  const entries = JSON.parse(JSON.stringify(abi), (key, value) => {
    if (key === 'internalType') return undefined;
    if (key === 'name' && value === '') return undefined;
    if ((key === 'indexed' || key === 'anonymous') && value === false) return undefined;
    return value;
  }) as { type: string; name?: string }[];
  const order = (entry: { type: string; name?: string }) => `${entry.type} ${entry.name ?? ''}`;
  return entries.sort((a, b) => order(a).localeCompare(order(b)));
}

describe('PairFactory and Pair ABIs', () => {
  let artifacts: ContractArtifacts;
  // solc-js takes a few seconds when test/contracts changed since the last compile.
  beforeAll(() => {
    artifacts = compileContracts();
  }, 120_000);

  it('ships examples/abis/PairFactory.json and Pair.json exactly as compiled', () => {
    expect(exampleAbi('PairFactory.json')).toEqual(artifacts.PairFactory?.abi);
    expect(exampleAbi('Pair.json')).toEqual(artifacts.Pair?.abi);
  });

  it('types pairFactoryAbi and pairAbi as compiled', () => {
    expect(canonical(pairFactoryAbi)).toEqual(canonical(artifacts.PairFactory?.abi ?? []));
    expect(canonical(pairAbi)).toEqual(canonical(artifacts.Pair?.abi ?? []));
  });
});
