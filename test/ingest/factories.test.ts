import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManyPairs,
  type DeployedContract,
  deployPairFactory,
  mine,
  type pairFactoryAbi,
  readFactoryChildren,
  runFactoryTraffic,
} from '../../src/dev-stack/index.ts';
import { childKey, topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { consumeToEnd } from '../../src/ingest/kafka-read/consumeToEnd.ts';
import { parseConfig } from '../../src/shared/config/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  canonicalLogIds,
  netConfirmedIds,
  rawIngestConfig,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { type RpcProxy, startRpcProxy } from './support/rpcProxy.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

// A factory with more than 1,000 children, backfilled through a node that caps the addresses of an
// eth_getLogs filter (as providers do), refuses wide ranges and large results and rate-limits: what
// reaches events.confirmed is exactly the chain's logs of the factory and of every child, each child
// from its creation block on, decoded under its template.

const confirmations = 2;
const abis = join(import.meta.dirname, '../../examples/abis');

/** The chain's children at the checkpoint, read back from the compacted children topic. */
async function childrenOnTopic(kafka: ReturnType<typeof createKafka>, topic: string, chainId: number) {
  const children = new Map<string, unknown>();
  await consumeToEnd({
    kafka,
    topic,
    groupId: randomId('children-read'),
    onMessage: (message) => {
      const key = message.key?.toString('utf8') ?? '';
      if (!key.startsWith(`${chainId}:`)) return;
      if (message.value) children.set(key, JSON.parse(message.value.toString('utf8')));
      else children.delete(key);
    },
  });
  return children;
}

describe('ingest: contracts created by a factory', () => {
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'factory-ingest-test' });
  let chain: TestChain;
  let factory: DeployedContract<typeof pairFactoryAbi>;
  let proxy: RpcProxy;
  let children: `0x${string}`[];
  let head: number;

  beforeAll(async () => {
    chain = await startTestChain();
    factory = await deployPairFactory({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    // Traffic before, between and after the mass creation, so children log in many blocks and
    // ranges, some of them in their creation transaction.
    const wallets = chain.walletClients.slice(1, 4);
    await runFactoryTraffic({ publicClient: chain.publicClient, wallets, factory, count: 30, seed: 1 });
    await mine(chain.testClient, 40);
    await createManyPairs({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
      factory,
      total: 1_000,
    });
    await mine(chain.testClient, 25);
    await runFactoryTraffic({ publicClient: chain.publicClient, wallets, factory, count: 60, seed: 2 });
    await mine(chain.testClient, confirmations + 70);
    head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    children = await readFactoryChildren({ publicClient: chain.publicClient, factory });
    proxy = await startRpcProxy(chain.rpcHttp);
  }, 180_000);

  afterAll(async () => {
    await proxy?.close();
    await chain?.stop();
  });

  const configFor = (prefix: string, filter: { maxAddressesPerCall: number; topicOnlyAbove: number }) => {
    const raw = rawIngestConfig({
      rpcHttp: proxy.url,
      chainId: chain.chainId,
      contracts: [
        {
          name: 'PairFactory',
          address: factory.address,
          abi: join(abis, 'PairFactory.json'),
          startBlock: factory.startBlock,
        },
      ],
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      maxBlockRange: 40,
    });
    const [entry] = raw.chains;
    (entry!.contracts as unknown[]).push({
      name: 'Pair',
      abi: join(abis, 'Pair.json'),
      factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
    });
    Object.assign(entry!, { factoryLogFilter: filter });
    return parseConfig({ raw, baseDir: process.cwd() });
  };

  it.each([
    { mode: 'address chunks under the cap', filter: { maxAddressesPerCall: 100, topicOnlyAbove: 100_000 } },
    {
      mode: 'a topic-only filter past 500 children',
      filter: { maxAddressesPerCall: 100, topicOnlyAbove: 500 },
    },
  ])('backfills 1,000+ children exactly with $mode', { timeout: 240_000 }, async ({ filter }) => {
    expect(children.length).toBeGreaterThan(1_000);
    Object.assign(proxy.faults, { maxRange: 25, maxResults: 400, rateLimitEvery: 9, maxAddresses: 100 });
    Object.assign(proxy.stats, {
      addressesRefused: 0,
      mostAddresses: 0,
      topicOnlyCalls: 0,
      rangeRefused: 0,
      resultsRefused: 0,
    });
    const prefix = randomId('factory-backfill');
    const topics = topicNames(prefix);
    const ingest: Ingest = createIngest({
      config: configFor(prefix, filter),
      logger: createLogger('factory-backfill', { test: prefix }),
    });
    try {
      await ingest.start();
      await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 180_000);
    } finally {
      await ingest.stop();
    }
    const confirmedHead = head - confirmations;
    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    const expected = await canonicalLogIds(
      chain.publicClient,
      chain.chainId,
      [factory.address, ...children],
      BigInt(confirmedHead),
      200n,
    );
    expect(ids.length).toBe(expected.length);
    expect(ids).toEqual(expected);
    // Every child's logs are decoded under its template; the factory's are not.
    const childSet = new Set(children);
    for (const { event } of records) {
      expect(event.decoded).toBe(true);
      expect(event.template).toBe(childSet.has(event.address) ? 'Pair' : undefined);
    }
    // A child's constructor logs (before the factory's event, in its creation transaction) are in.
    expect(records.filter(({ event }) => event.eventName === 'Initialized').length).toBe(children.length);
    // The children topic holds every child, written with the checkpoint.
    const onTopic = await childrenOnTopic(kafka, topics.children, chain.chainId);
    expect([...onTopic.keys()].sort()).toEqual(
      children.map((child) => childKey(chain.chainId, child)).sort(),
    );
    // The address cap held; the topic-only mode asked by topics.
    expect(proxy.stats.addressesRefused).toBe(0);
    expect(proxy.stats.mostAddresses).toBeLessThanOrEqual(100);
    if (filter.topicOnlyAbove < children.length) expect(proxy.stats.topicOnlyCalls).toBeGreaterThan(0);
    // The node's other limits were met on the way, and the ranges shrank under them.
    expect(proxy.stats.rangeRefused).toBeGreaterThan(0);
    expect(proxy.stats.resultsRefused).toBeGreaterThan(0);
    expect(proxy.stats.rateLimited).toBeGreaterThan(0);
    console.log(
      `[factory backfill] ${children.length} children, ${ids.length} events; proxy: ${JSON.stringify(proxy.stats)}`,
    );
  });
});
