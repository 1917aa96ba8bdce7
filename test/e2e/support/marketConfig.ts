/**
 * The config of the marketplace end-to-end run: one chain with the Market and its projections,
 * random topic, group and key prefixes, and gateway limits wide enough for a test that reads every
 * listing and follows one listing through thousands of changes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileContracts } from '../../../src/dev-stack/index.ts';
import type { TestChain } from '../../support/chain.ts';
import { exampleMarketProjections, type MarketContract } from './marketChain.ts';

/** Parameters of {@link writeMarketConfig}. */
export type MarketConfigParameters = {
  chain: TestChain;
  market: MarketContract;
  confirmations: number;
  kafkaBrokers: string[];
  redisUrl: string;
  /** Random id: topic prefix, Kafka client id, consumer group and Redis key prefix derive from it. */
  id: string;
  /** Folder the ABI file goes to (the config's `baseDir`). */
  dir: string;
};

/** The raw config (as a user writes it); writes the Market ABI it refers to into `dir`. */
export function writeMarketConfig({
  chain,
  market,
  confirmations,
  kafkaBrokers,
  redisUrl,
  id,
  dir,
}: MarketConfigParameters) {
  writeFileSync(join(dir, 'Market.json'), JSON.stringify(compileContracts().Market!.abi));
  return {
    chains: [
      {
        chainId: chain.chainId,
        rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
        confirmations,
        pollIntervalMs: 200,
        contracts: [
          {
            name: 'Market',
            address: market.address,
            abi: 'Market.json',
            startBlock: Number(market.startBlock),
            projections: exampleMarketProjections(),
          },
        ],
      },
    ],
    kafka: { brokers: kafkaBrokers, topicPrefix: id, partitions: 3, clientId: id },
    redis: { url: redisUrl, keyPrefix: `${id}:` },
    process: { groupId: `${id}.process`, journalMaxEntries: 1_000_000, sessionTimeoutMs: 6_000 },
    gateway: {
      port: 0,
      maskErrors: false,
      limits: {
        maxAliases: 100,
        maxTokens: 100_000,
        maxCost: 1_000_000,
        maxBodyBytes: 1_000_000,
        subscriptionBuffer: 100_000,
        requestsPerMinute: 1_000_000,
      },
    },
  };
}
