import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Address, getAddress } from 'viem';
import { parse as parseYaml } from 'yaml';
import { deployPairFactory } from '../../../src/dev-stack/index.ts';
import type { TestChain } from '../../support/chain.ts';
import { advanceDeployerNonce, type DocsPipeline, startDocsPipeline } from './startDocsPipeline.ts';

const repo = new URL('../../../', import.meta.url).pathname;

/** A contract entry or template of a config as written. */
export type FactoryEntry = { name: string; abi: string; address?: string; [field: string]: unknown };

/** The PairFactory entry and the Pair template of examples/blockwire.yaml as written. */
export type ExampleFactory = { factory: FactoryEntry & { address: Address }; template: FactoryEntry };

/** The PairFactory and Pair entries of examples/blockwire.yaml as written (the address checksummed). */
export function exampleFactory(): ExampleFactory {
  const example = parseYaml(readFileSync(`${repo}examples/blockwire.yaml`, 'utf8')) as {
    chains: { contracts: FactoryEntry[] }[];
  };
  const contracts = example.chains[0]!.contracts;
  const factory = contracts.find((contract) => contract.name === 'PairFactory');
  const template = contracts.find((contract) => contract.name === 'Pair');
  if (!factory?.address || !template?.factory)
    throw new Error('examples/blockwire.yaml has no PairFactory with an address and Pair template');
  return { factory: { ...factory, address: getAddress(factory.address) }, template };
}

/** A pipeline following the example's PairFactory and its Pair children on a test chain. */
export type FactoryPipeline = DocsPipeline & {
  /** Where the PairFactory was deployed: the example config's address. */
  factory: Address;
};

/**
 * Deploys test/contracts/PairFactory.sol on a fresh `chain` at the address examples/blockwire.yaml
 * gives it (account #0's sixth transaction: five empty transfers go first, so its children get the
 * same addresses on every run), and runs ingest → process → gateway on the example's PairFactory and
 * Pair entries.
 */
export async function startFactoryPipeline(
  chain: TestChain,
  confirmations: number,
): Promise<FactoryPipeline> {
  const example = exampleFactory();
  await advanceDeployerNonce(chain, 5);
  const deployed = await deployPairFactory({
    publicClient: chain.publicClient,
    walletClient: chain.walletClients[0]!,
  });
  const factory = getAddress(deployed.address);
  if (factory !== example.factory.address)
    throw new Error(
      `PairFactory deployed at ${factory}, not at the example's ${example.factory.address}: is the chain fresh?`,
    );
  // The example's ABI paths are relative to examples/; the pipeline's to the repository.
  const inRepo = (entry: FactoryEntry) => ({ ...entry, abi: join('examples', entry.abi) });
  const pipeline = await startDocsPipeline({
    chain,
    confirmations,
    contracts: [
      { ...inRepo(example.factory), startBlock: Number(deployed.startBlock) },
      inRepo(example.template),
    ],
  });
  return { ...pipeline, factory };
}
