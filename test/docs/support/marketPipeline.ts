import { readFileSync } from 'node:fs';
import { type Address, getAddress, parseAbi } from 'viem';
import { parse as parseYaml } from 'yaml';
import { compileContracts } from '../../../src/dev-stack/index.ts';
import type { TestChain } from '../../support/chain.ts';
import { advanceDeployerNonce, startDocsPipeline } from './startDocsPipeline.ts';

const repo = new URL('../../../', import.meta.url).pathname;

/** The Market ABI (as test/contracts/Market.sol compiles), typed for viem's writes. */
export const marketAbi = parseAbi([
  'function list(uint256 price) returns (uint256 listingId)',
  'function changePrice(uint256 listingId, uint256 newPrice)',
  'function buy(uint256 listingId)',
  'function cancel(uint256 listingId)',
]);

/** A contract entry of a config as written. */
export type ContractEntry = { name: string; address: Address; abi: string; projections?: unknown };

/** The Market entry of examples/blockwire.yaml as written (address checksummed). */
export function exampleMarket(): ContractEntry & { projections: unknown } {
  const example = parseYaml(readFileSync(`${repo}examples/blockwire.yaml`, 'utf8')) as {
    chains: { contracts: ContractEntry[] }[];
  };
  const market = example.chains[0]!.contracts.find((contract) => contract.name === 'Market');
  if (!market?.projections) throw new Error('examples/blockwire.yaml has no Market with projections');
  return { ...market, address: getAddress(market.address), projections: market.projections };
}

/** A pipeline following the example's Market contract on a test chain. */
export type MarketPipeline = {
  /** Where the Market was deployed: the example config's address. */
  address: Address;
  graphqlUrl: string;
  stop(): Promise<void>;
};

/**
 * Deploys test/contracts/Market.sol on a fresh `chain` at the address examples/blockwire.yaml gives it
 * (account #0's fifth transaction: four empty transfers go first), and runs ingest → process → gateway
 * on a config with the example's projections, a random topic prefix, group and Redis key prefix.
 */
export async function startMarketPipeline(chain: TestChain, confirmations: number): Promise<MarketPipeline> {
  const example = exampleMarket();
  const { publicClient } = chain;
  await advanceDeployerNonce(chain, 4);
  const artifact = compileContracts().Market;
  if (!artifact) throw new Error('test/contracts has no Market contract');
  const hash = await chain.walletClients[0]!.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const address = getAddress(receipt.contractAddress!);
  if (address !== example.address)
    throw new Error(
      `Market deployed at ${address}, not at the example's ${example.address}: is the chain fresh?`,
    );
  const pipeline = await startDocsPipeline({
    chain,
    confirmations,
    contracts: [
      {
        name: 'Market',
        address,
        abi: 'examples/abis/Market.json',
        startBlock: Number(receipt.blockNumber),
        projections: example.projections,
      },
    ],
  });
  return { ...pipeline, address };
}
