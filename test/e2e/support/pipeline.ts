import type { Address } from 'viem';
import { createGateway } from '../../../src/gateway/index.ts';
import { createIngest } from '../../../src/ingest/index.ts';
import { createProcessor } from '../../../src/process/index.ts';
import { parseConfig, type ResolvedConfig } from '../../../src/shared/config/index.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { type DemoContracts, deployDemoContracts, type TestChain } from '../../support/chain.ts';
import { randomId } from '../../support/random.ts';
import { getStack } from '../../support/stack.ts';

/** Parameters of {@link startPipeline}. */
export type StartPipelineParameters = {
  chain: TestChain;
  confirmations: number;
  /** Run the gateway too. Default false. */
  gateway?: boolean;
  /** Redis to use instead of the test stack's (for tests that FLUSHALL or restart it). */
  redisUrl?: string;
  /** Nodes (host:port) of a Redis Cluster to use instead of the test stack's Redis. */
  redisCluster?: string[];
  /** `redis.pubsub`; default: the config's default. */
  redisPubSub?: 'classic' | 'sharded';
};

/** The whole blockwire pipeline running in this process against a test chain. */
export type Pipeline = {
  config: ResolvedConfig;
  contracts: DemoContracts;
  /** GraphQL endpoint when the gateway runs. */
  graphqlUrl: string | undefined;
  stop(): Promise<void>;
};

/**
 * Deploys the demo contracts on `chain`, writes a config with a random topic prefix, consumer group
 * and Redis key prefix, and starts ingest → process (→ gateway) in this process.
 */
export async function startPipeline({
  chain,
  confirmations,
  gateway = false,
  redisUrl,
  redisCluster,
  redisPubSub,
}: StartPipelineParameters): Promise<Pipeline> {
  const stack = getStack();
  const contracts = await deployDemoContracts({
    publicClient: chain.publicClient,
    walletClient: chain.walletClients[0]!,
  });
  const id = randomId('e2e');
  const entry = (name: string, contract: { address: Address; startBlock: bigint }, abi: string) => ({
    name,
    address: contract.address,
    abi,
    startBlock: Number(contract.startBlock),
  });
  const config = parseConfig({
    raw: {
      chains: [
        {
          chainId: chain.chainId,
          rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
          confirmations,
          pollIntervalMs: 200,
          contracts: [
            entry('DemoToken', contracts.erc20, 'erc20'),
            entry('DemoNFT', contracts.erc721, 'erc721'),
            entry('DemoItems', contracts.erc1155, 'erc1155'),
          ],
        },
      ],
      kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 3 },
      redis: {
        url: redisUrl ?? (redisCluster ? `redis://${redisCluster[0]}` : stack.redisUrl),
        keyPrefix: `${id}:`,
        ...(redisCluster ? { cluster: redisCluster } : {}),
        ...(redisPubSub ? { pubsub: redisPubSub } : {}),
      },
      process: { groupId: `${id}.process` },
      gateway: { port: 0, maskErrors: false },
    },
    baseDir: '.',
  });
  const logger = createLogger('e2e', { test: id });
  const stops: (() => Promise<void>)[] = [];
  let graphqlUrl: string | undefined;
  try {
    const processor = createProcessor({ config, logger });
    await processor.start();
    stops.push(() => processor.stop());
    const ingest = createIngest({ config, logger });
    await ingest.start();
    stops.push(() => ingest.stop());
    if (gateway) {
      const server = createGateway({ config, logger });
      graphqlUrl = (await server.start()).url;
      stops.push(() => server.stop());
    }
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
  return {
    config,
    contracts,
    graphqlUrl,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
