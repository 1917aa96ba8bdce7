import { ConfigResourceTypes, ConfigSource } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../../src/shared/kafka.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  replaceSince,
  seededTraffic,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { demoContractEntries, rawIngestConfig } from './support/ingestHarness.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const stack = getStack();
const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'limits-test' });

/** Each topic's `min.insync.replicas` as the broker reports it, and whether it is set on the topic itself. */
async function minInsyncReplicas(topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['min.insync.replicas'],
      })),
    });
    return Object.fromEntries(
      resources.map((resource) => {
        const entry = resource.configEntries.find((config) => config.configName === 'min.insync.replicas');
        return [
          resource.resourceName,
          { value: entry?.configValue, onTopic: entry?.configSource === ConfigSource.TOPIC_CONFIG },
        ];
      }),
    );
  } finally {
    await admin.disconnect();
  }
}

async function replicationFactors(topics: string[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics });
    return Object.fromEntries(
      metadata.topics.map((topic) => [topic.name, topic.partitions.map((p) => p.replicas.length)]),
    );
  } finally {
    await admin.disconnect();
  }
}

describe('topic durability settings', () => {
  it('creates every topic with the given replication factor and min.insync.replicas', async () => {
    const prefix = randomId('limits-topics');
    const names = Object.values(topicNames(prefix));
    const admin = kafka.admin();
    await admin.connect();
    try {
      // One broker: replication factor 1; min.insync.replicas 2 differs from the broker default (1).
      await ensureTopics({
        admin,
        topics: blockwireTopics({
          topicPrefix: prefix,
          partitions: 2,
          replicationFactor: 1,
          minInsyncReplicas: 2,
        }),
      });
    } finally {
      await admin.disconnect();
    }
    const configs = await minInsyncReplicas(names);
    for (const name of names) expect(configs[name]).toEqual({ value: '2', onTopic: true });
    const factors = await replicationFactors(names);
    for (const name of names) expect(new Set(factors[name])).toEqual(new Set([1]));
  });
});

describe('ingest with configured limits', () => {
  const confirmations = 1;
  const headerWindowBlocks = 2;
  const prefix = randomId('limits-ingest');
  const topics = topicNames(prefix);
  let chain: TestChain;
  let contracts: DemoContracts;
  let config: ResolvedConfig;
  let ingest: Ingest | undefined;

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    const raw = rawIngestConfig({
      rpcHttp: chain.rpcHttp,
      rpcWs: chain.rpcWs,
      chainId: chain.chainId,
      contracts: demoContractEntries(contracts),
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      pollIntervalMs: 100,
    });
    config = parseConfig({
      raw: {
        ...raw,
        chains: raw.chains.map((entry) => ({ ...entry, headerWindowBlocks })),
        kafka: { ...raw.kafka, replicationFactor: 1, minInsyncReplicas: 1 },
        ingest: { backfillConcurrency: 2, blocksPerTransaction: 5 },
      },
      baseDir: process.cwd(),
    });
  });

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  const traffic = (count: number, seed: number) =>
    seededTraffic(
      { publicClient: chain.publicClient, wallets: chain.walletClients.slice(1, 5), contracts },
      count,
      seed,
    );

  it('sets min.insync.replicas on the topics it creates, and stops with REORG_TOO_DEEP on a reorg deeper than the configured header window', async () => {
    await traffic(4, 1);
    ingest = createIngest({ config, lockTtlMs: 3_000, logger: testLogger('limits') });
    await ingest.start();
    const outcome = ingest.done.then(
      () => ({ stopped: 'cleanly' as const }),
      (error: unknown) => ({ stopped: 'on error' as const, error }),
    );

    // Set explicitly on each topic (not inherited from the broker), so a cluster default cannot lower it.
    const configs = await minInsyncReplicas(Object.values(topics));
    for (const topic of Object.values(topics)) expect(configs[topic]).toEqual({ value: '1', onTopic: true });

    // Orphan more confirmed blocks than confirmations + headerWindowBlocks (the default window, 64,
    // would follow this reorg and keep running).
    const depth = confirmations + headerWindowBlocks + 4;
    const snapshot = await takeChainSnapshot(chain.testClient);
    await traffic(depth, 2);
    const tip = Number(await chain.publicClient.getBlockNumber());
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, tip - confirmations);
    await replaceSince(chain.testClient, snapshot, { txs: () => traffic(depth + 1, 3) });

    const result = await outcome;
    expect(result.stopped).toBe('on error');
    expect(result).toMatchObject({
      error: {
        code: 'REORG_TOO_DEEP',
        message: expect.stringContaining(`the window of ${headerWindowBlocks} confirmed blocks`),
      },
    });
  });
});
