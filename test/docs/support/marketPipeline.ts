import { readFileSync } from 'node:fs';
import { type Address, getAddress, parseAbi } from 'viem';
import { parse as parseYaml } from 'yaml';
import { compileContracts, hardhatAccounts } from '../../../src/dev-stack/index.ts';
import { createGateway } from '../../../src/gateway/index.ts';
import { createIngest } from '../../../src/ingest/index.ts';
import { createProcessor } from '../../../src/process/index.ts';
import { parseConfig } from '../../../src/shared/config/index.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import type { TestChain } from '../../support/chain.ts';
import { randomId } from '../../support/random.ts';
import { getStack } from '../../support/stack.ts';

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
  const deployer = chain.walletClients[0]!;
  const { publicClient } = chain;
  const nonce = await publicClient.getTransactionCount({ address: deployer.account.address });
  for (let sent = nonce; sent < 4; sent++) {
    const hash = await deployer.sendTransaction({ to: hardhatAccounts()[0]!.address, value: 0n });
    await publicClient.waitForTransactionReceipt({ hash });
  }
  const artifact = compileContracts().Market;
  if (!artifact) throw new Error('test/contracts has no Market contract');
  const hash = await deployer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const address = getAddress(receipt.contractAddress!);
  if (address !== example.address)
    throw new Error(
      `Market deployed at ${address}, not at the example's ${example.address}: is the chain fresh?`,
    );

  const stack = getStack();
  const id = randomId('docs');
  const config = parseConfig({
    raw: {
      chains: [
        {
          chainId: chain.chainId,
          rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
          confirmations,
          pollIntervalMs: 200,
          contracts: [
            {
              name: 'Market',
              address,
              abi: 'examples/abis/Market.json',
              startBlock: Number(receipt.blockNumber),
              projections: example.projections,
            },
          ],
        },
      ],
      kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
      redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
      process: { groupId: `${id}.process` },
      gateway: { port: 0, maskErrors: false },
    },
    baseDir: repo,
  });
  const logger = createLogger('docs', { test: id });
  const stops: (() => Promise<void>)[] = [];
  try {
    const processor = createProcessor({ config, logger });
    await processor.start();
    stops.push(() => processor.stop());
    const ingest = createIngest({ config, logger });
    await ingest.start();
    stops.push(() => ingest.stop());
    const gateway = createGateway({ config, logger });
    const { url } = await gateway.start();
    stops.push(() => gateway.stop());
    return {
      address,
      graphqlUrl: url,
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
