import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClusterHandle, startRedisCluster, waitFor } from '../../src/dev-stack/index.ts';
import {
  type ChainEvent,
  contractKeys,
  decodeEvent,
  epochKey,
  keySlot,
  metaFields,
  topicNames,
} from '../../src/domain/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createRedis, type RedisClient } from '../../src/shared/redis.ts';
import {
  type Collector,
  postGraphql,
  subscribeSse,
  subscribeWs,
  wsClient,
} from '../gateway/support/clients.ts';
import { readCommittedEvents } from '../ingest/support/ingestHarness.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { mine, reorg, runTraffic, startTestChain, type TestChain } from '../support/chain.ts';
import { getStack } from '../support/stack.ts';
import { canonicalEventIds, groupByAddress } from './support/canonicalEvents.ts';
import { diffChainState } from './support/expectChainState.ts';
import { type Pipeline, startPipeline } from './support/pipeline.ts';

// The whole pipeline on a Redis Cluster of three masters with one replica each, started by the
// project's own dev stack, with sharded pub/sub (the default on a cluster). First the master holding
// the ERC-20's slot is SIGKILLed while events flow: its replica takes over, and what the processor had
// written (acknowledged by the replica before the offsets were committed) is still there; the
// gateway's sharded subscriber connection to it is gone, so live subscriptions end with
// SUBSCRIPTION_INTERRUPTED and resume from their token. Then a master's data is flushed: the
// processor sees the slots' epoch copies gone and rebuilds everything from Kafka. Both times the
// projections end equal to the chain, every journal equal to its contract's records of
// events.confirmed, and subscribers get every event once, in order, resuming without a gap.

type Delivered = {
  events: { id: string; address: string; status: string; cursor: string | null; resumeToken: string | null };
};

const eventsSubscription = parse(/* GraphQL */ `
  subscription Delivered($filter: EventFilter, $after: StreamPosition) {
    events(filter: $filter, after: $after) {
      id
      address
      status
      cursor
      resumeToken
    }
  }
`);

type HistoryPage = {
  events: { nodes: { id: string; address: string }[]; endPosition: string | null; hasNextPage: boolean };
};

const historyQuery = /* GraphQL */ `
  query History($filter: EventFilter, $after: StreamPosition) {
    events(filter: $filter, after: $after, first: 100) {
      nodes {
        id
        address
      }
      endPosition
      hasNextPage
    }
  }
`;

const confirmations = 2;
const erc1155Ids = [1n, 2n, 3n, 4n, 5n];

describe('end to end: a Redis Cluster of three masters', () => {
  let cluster: RedisClusterHandle;
  let chain: TestChain;
  let pipeline: Pipeline;
  let redis: RedisClient;
  const collectors: Collector<Delivered>[] = [];
  const kafka = createKafka({ brokers: getStack().kafkaBrokers, clientId: 'redis-cluster-test' });

  beforeAll(async () => {
    [cluster, chain] = await Promise.all([
      startRedisCluster({ masters: 3, replicasPerMaster: 1 }),
      startTestChain(),
    ]);
    pipeline = await startPipeline({
      chain,
      confirmations,
      gateway: true,
      redisCluster: cluster.startupNodes,
    });
    const { config } = pipeline;
    redis = createRedis({ url: config.redis.url, cluster: config.redis.cluster });
  }, 180_000);

  afterAll(async () => {
    for (const collector of collectors) collector.stop();
    await pipeline?.stop();
    redis?.disconnect();
    await chain?.stop();
    await cluster?.stop();
  }, 120_000);

  const traffic = (seed: number, count: number, target: Pipeline = pipeline) =>
    runTraffic({
      publicClient: chain.publicClient,
      wallets: chain.walletClients.slice(1, 6),
      contracts: target.contracts,
      count,
      seed,
      everyKindFirst: seed === 1,
    });
  /** Traffic with a one-block reorg, `rounds` times. */
  const churn = async (seed: number, rounds: number) => {
    for (let round = 0; round < rounds; round++) {
      await traffic(seed + round, 2);
      await reorg(chain.testClient, {
        depth: 1,
        orphanedTxs: () => traffic(seed + 50 + round, 1),
        txs: () => traffic(seed + 90 + round, 1),
      });
    }
  };
  const addresses = (target: Pipeline = pipeline) =>
    [target.contracts.erc20, target.contracts.erc721, target.contracts.erc1155].map((contract) =>
      contract.address.toLowerCase(),
    );
  const slotOf = (address: string) =>
    keySlot(contractKeys(pipeline.config.redis.keyPrefix, chain.chainId, address).meta);

  /** The running node with a client connection named `name` (CLIENT LIST). */
  async function nodeHoldingClient(name: string) {
    for (const node of cluster.nodes) if (await holdsClient(node.port, name)) return node;
    return undefined;
  }

  /** Whether the running node at `port` has a client connection named `name` (CLIENT LIST). */
  async function holdsClient(port: number, name: string): Promise<boolean> {
    const node = cluster.nodes.find((candidate) => candidate.port === port && candidate.running());
    if (!node) return false;
    const client = createRedis({ url: `redis://${node.address}` });
    try {
      const list = String(await client.call('CLIENT', 'LIST'));
      return list.split('\n').some((line) => line.includes(`name=${name}`));
    } finally {
      client.disconnect();
    }
  }

  /** The chain's events in the journals after `after`, merged, through the history query. */
  async function history(after?: string) {
    const filter = { chainId: chain.chainId };
    const nodes: { id: string; address: string }[] = [];
    let position = after;
    for (;;) {
      const { body } = await postGraphql<HistoryPage, Record<string, unknown>>(
        pipeline.graphqlUrl!,
        historyQuery,
        { filter, after: position },
      );
      expect(body.errors).toBeUndefined();
      const page = body.data!.events;
      nodes.push(...page.nodes);
      position = page.endPosition ?? position;
      if (!page.hasNextPage) return { nodes, endPosition: position };
    }
  }

  /** The resume token of a subscription that ended with SUBSCRIPTION_INTERRUPTED. */
  async function interruptedToken(collector: Collector<Delivered>): Promise<string> {
    const { error } = await collector.ended;
    // graphql-ws ends with an array of errors; SSE sends them in a last result.
    const errors = error ? (Array.isArray(error) ? error : [error]) : collector.results.at(-1)?.errors;
    const extensions = (errors?.[0] as { extensions?: Record<string, unknown> } | undefined)?.extensions;
    expect(extensions?.code).toBe('SUBSCRIPTION_INTERRUPTED');
    expect(extensions?.resumeToken).toBeTruthy();
    return extensions!.resumeToken as string;
  }

  /** What a collector delivered: its events, without the result that carried an error. */
  const deliveredEvents = (collector: Collector<Delivered>) =>
    collector.results.flatMap((result) => (result.data ? [result.data.events] : []));

  /**
   * Waits until the chain's head is confirmed in Kafka and Redis holds every record of
   * events.confirmed, then compares journals and state.
   */
  async function expectExact(target: Pipeline = pipeline): Promise<number> {
    const { config, contracts } = target;
    const keyPrefix = config.redis.keyPrefix;
    const topics = topicNames(config.kafka.topicPrefix);
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 120_000);
    const records = (await readCommittedEvents(kafka, topics.confirmed)).filter((record) =>
      addresses(target).includes(record.event.address),
    );
    const byAddress = (address: string) =>
      records
        .filter((record) => record.event.address === address)
        .map(({ event }) => `${event.id}/${event.status}`);
    const journal = async (address: string) =>
      (await redis.xrange(contractKeys(keyPrefix, chain.chainId, address).journal, '-', '+')).map(
        ([cursor, fields]) => {
          const decoded = decodeEvent(fields[1]);
          if (!decoded.ok) throw new Error(`journal entry ${cursor} does not decode: ${decoded.reason}`);
          const event: ChainEvent = decoded.value;
          return `${event.id}/${event.status}`;
        },
      );
    await waitFor(
      async () => {
        let applied = 0;
        for (const address of addresses(target))
          applied += Number(
            (await redis.hget(
              contractKeys(keyPrefix, chain.chainId, address).meta,
              metaFields.appliedCount,
            )) ?? 0,
          );
        return applied >= records.length;
      },
      { description: `${records.length} journal entries`, timeoutMs: 120_000, intervalMs: 500 },
    );
    for (const address of addresses(target))
      expect(await journal(address), `journal of ${address}`).toEqual(byAddress(address));
    expect(
      await diffChainState({
        chain,
        contracts,
        redis,
        keyPrefix,
        holders: chain.walletClients.slice(1, 6).map((wallet) => wallet.account.address),
        erc1155Ids,
      }),
    ).toEqual([]);
    return records.length;
  }

  it('ends exact when the master of a contract is SIGKILLed and its replica takes over; subscribers are interrupted and resume without a gap', async () => {
    const url = pipeline.graphqlUrl!;
    const ws = () => wsClient(url.replace(/^http/, 'ws'));
    const filter = { chainId: chain.chainId };
    const live = subscribeWs(ws(), eventsSubscription, { filter });
    const sse = subscribeSse(url, eventsSubscription, { filter });
    const leaving = subscribeWs(ws(), eventsSubscription, { filter });
    collectors.push(live, sse, leaving);
    const { publicClient, testClient } = chain;
    const { contracts } = pipeline;
    // The keys of the three contracts spread over the masters (the test needs at least two).
    const masters = new Set(
      await Promise.all(addresses().map(async (address) => (await cluster.masterOf(slotOf(address))).port)),
    );
    expect(masters.size).toBeGreaterThan(1);

    await traffic(1, 14);
    await churn(10, 2);
    await mine(testClient, confirmations);
    await leaving.waitFor(5, 60_000);
    leaving.stop();
    const seen = leaving.data();
    const lastToken = seen.at(-1)!.events.resumeToken;
    expect(lastToken).toBeTruthy();

    // The master of the ERC-20's slot is SIGKILLed while events are being applied. The gateway has a
    // sharded subscriber connection on it (the ERC-20's channels live in that slot).
    const epoch = await redis.get(epochKey(pipeline.config.redis.keyPrefix));
    expect(epoch).toBeTruthy();
    const victimAddress = addresses()[0]!;
    const victim = await cluster.masterOf(slotOf(victimAddress));
    expect(await holdsClient(victim.port, 'ioredis-cluster(ssubscriber)')).toBe(true);
    const during = traffic(30, 6);
    await mine(testClient, confirmations);
    await victim.kill();
    await during;
    const tokens = await Promise.all([live, sse].map(interruptedToken));
    await cluster.waitForClusterOk(60_000);
    expect((await cluster.masterOf(slotOf(victimAddress))).port).not.toBe(victim.port);
    await churn(200, 2);
    // The killed node comes back empty and becomes a replica of the master that replaced it.
    await victim.restart();
    await cluster.waitForClusterOk(60_000);
    await churn(300, 2);
    await mine(testClient, confirmations + 1);

    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const expected = await canonicalEventIds(
      chain,
      addresses() as `0x${string}`[],
      contracts.erc20.startBlock,
      head - BigInt(confirmations),
    );
    const total = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
    expect(total).toBeGreaterThan(20);
    // Each subscriber resumes from where it stood: what it got before plus what the resumed
    // subscription gets is every event once, in order.
    const stitch = async (before: Delivered['events'][], after: string) => {
      const resumed = subscribeWs(ws(), eventsSubscription, { filter, after });
      collectors.push(resumed);
      await resumed.waitFor(total - before.length, 90_000);
      const events = [...before, ...resumed.data().map((result) => result.events)];
      expect(events.every((event) => event.status === 'CONFIRMED')).toBe(true);
      expect(groupByAddress(events)).toEqual(expected);
    };
    await stitch(deliveredEvents(live), tokens[0]!);
    await stitch(deliveredEvents(sse), tokens[1]!);
    await stitch(
      seen.map((result) => result.events),
      lastToken!,
    );

    const records = await expectExact();
    // The replica had everything: no slot lost its epoch copy, so no rebuild was needed.
    expect(await redis.get(epochKey(pipeline.config.redis.keyPrefix))).toBe(epoch);
    console.log(`[redis cluster e2e] failover: ${records} records; killed master :${victim.port}`);
  }, 600_000);

  it('closes live subscriptions with SUBSCRIPTION_INTERRUPTED when a master the gateway subscribes on dies; resuming gets everything', async () => {
    const { testClient } = chain;
    const url = pipeline.graphqlUrl!;
    const filter = { chainId: chain.chainId };
    const start = (await history()).endPosition;
    const client = wsClient(url.replace(/^http/, 'ws'));
    const live = subscribeWs(client, eventsSubscription, { filter, after: start });
    collectors.push(live);
    await traffic(500, 4);
    await mine(testClient, confirmations);
    await live.waitFor(1, 60_000);

    // This time the master of the ERC-1155's slot.
    const victim = await cluster.masterOf(slotOf(pipeline.contracts.erc1155.address.toLowerCase()));
    expect(await holdsClient(victim.port, 'ioredis-cluster(ssubscriber)')).toBe(true);
    await victim.kill();
    const ended = await live.ended;
    const extensions = (
      (Array.isArray(ended.error) ? ended.error[0] : ended.error) as { extensions?: Record<string, unknown> }
    )?.extensions;
    expect(extensions?.code).toBe('SUBSCRIPTION_INTERRUPTED');
    const seen = live.data().map((data) => data.events);
    await cluster.waitForClusterOk(60_000);
    await churn(510, 2);
    await victim.restart();
    await cluster.waitForClusterOk(60_000);
    await traffic(530, 3);
    await mine(testClient, confirmations + 1);
    await expectExact();

    const expected = (await history(start)).nodes;
    const resumed = subscribeWs(client, eventsSubscription, {
      filter,
      after: extensions!.resumeToken as string,
    });
    collectors.push(resumed);
    await resumed.waitFor(expected.length - seen.length, 90_000);
    expect(groupByAddress([...seen, ...resumed.data().map((data) => data.events)])).toEqual(
      groupByAddress(expected),
    );
  }, 300_000);

  it('stays exact with no rebuild when a contract’s slot moves to another master mid-run (resharding); live subscriptions are interrupted and resume without a gap', async () => {
    const { testClient } = chain;
    const url = pipeline.graphqlUrl!;
    const filter = { chainId: chain.chainId };
    const start = (await history()).endPosition;
    const client = wsClient(url.replace(/^http/, 'ws'));
    const live = subscribeWs(client, eventsSubscription, { filter, after: start });
    collectors.push(live);
    await traffic(700, 3);
    await mine(testClient, confirmations);
    await live.waitFor(1, 60_000);

    const epoch = await redis.get(epochKey(pipeline.config.redis.keyPrefix));
    const slot = slotOf(pipeline.contracts.erc20.address.toLowerCase());
    const from = await cluster.masterOf(slot);
    let to: (typeof cluster.nodes)[number] | undefined;
    for (const node of cluster.nodes) {
      if (node.port !== from.port && node.running() && (await node.role()) === 'master') to = node;
    }
    expect(to, 'another master').toBeDefined();
    // The slot, with the contract's state, journal and epoch copy, moves while events flow (and may
    // be applied: the move takes milliseconds).
    const during = (async () => {
      await traffic(710, 4);
      await mine(testClient, confirmations);
    })();
    await cluster.moveSlot(slot, to!);
    await during;
    expect((await cluster.masterOf(slot)).port).toBe(to!.port);
    const token = await interruptedToken(live);
    await churn(720, 1);
    await mine(testClient, confirmations + 1);
    await expectExact();
    // Nothing was lost: no rebuild.
    expect(await redis.get(epochKey(pipeline.config.redis.keyPrefix))).toBe(epoch);

    const expected = (await history(start)).nodes;
    const before = deliveredEvents(live);
    const resumed = subscribeWs(client, eventsSubscription, { filter, after: token });
    collectors.push(resumed);
    await resumed.waitFor(expected.length - before.length, 90_000);
    expect(groupByAddress([...before, ...resumed.data().map((data) => data.events)])).toEqual(
      groupByAddress(expected),
    );
  }, 300_000);

  it('rebuilds from Kafka when a master loses its data, and ends exact', async () => {
    const { testClient } = chain;
    const { config, contracts } = pipeline;
    const epochBefore = await redis.get(epochKey(config.redis.keyPrefix));
    expect(epochBefore).toBeTruthy();
    // FLUSHALL on the master of the ERC-721's slot (its replica follows): its slots lose every key.
    const victim = await cluster.masterOf(slotOf(contracts.erc721.address.toLowerCase()));
    const node = createRedis({ url: `redis://${victim.address}` });
    try {
      await node.flushall();
    } finally {
      node.disconnect();
    }
    await churn(400, 2);
    await mine(testClient, confirmations + 1);
    await waitFor(
      async () => {
        const epoch = await redis.get(epochKey(config.redis.keyPrefix));
        return epoch !== null && epoch !== epochBefore && !epoch.startsWith('rebuilding:');
      },
      { description: 'a new epoch after the lost slots were seen', timeoutMs: 60_000, intervalMs: 250 },
    );
    const records = await expectExact();
    console.log(`[redis cluster e2e] rebuild: ${records} records after flushing master :${victim.port}`);
  }, 300_000);
  it('with classic pub/sub (for Redis 6 clusters): the node of the gateway’s one subscriber connection dies; subscriptions are interrupted, resume without a gap, and everything ends exact', async () => {
    const classic = await startPipeline({
      chain,
      confirmations,
      gateway: true,
      redisCluster: cluster.startupNodes,
      redisPubSub: 'classic',
    });
    try {
      const url = classic.graphqlUrl!;
      const filter = { chainId: chain.chainId };
      const live = subscribeWs(wsClient(url.replace(/^http/, 'ws')), eventsSubscription, { filter });
      collectors.push(live);
      await traffic(600, 4, classic);
      await mine(chain.testClient, confirmations);
      await live.waitFor(1, 60_000);
      // ioredis keeps the cluster's classic subscriptions on one connection, to any node.
      const victim = await nodeHoldingClient('ioredis-cluster(subscriber)');
      expect(victim, 'a node holds the gateway subscriber connection').toBeDefined();
      await victim!.kill();
      const token = await interruptedToken(live);
      await cluster.waitForClusterOk(60_000);
      await traffic(610, 3, classic);
      await victim!.restart();
      await cluster.waitForClusterOk(60_000);
      await mine(chain.testClient, confirmations + 1);

      const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
      const expected = await canonicalEventIds(
        chain,
        addresses(classic) as `0x${string}`[],
        classic.contracts.erc20.startBlock,
        head - BigInt(confirmations),
      );
      const total = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
      const before = deliveredEvents(live);
      const resumed = subscribeWs(wsClient(url.replace(/^http/, 'ws')), eventsSubscription, {
        filter,
        after: token,
      });
      collectors.push(resumed);
      await resumed.waitFor(total - before.length, 90_000);
      // (A contract the traffic did not touch has no entry in what was delivered.)
      const touched = new Map([...expected].filter(([, ids]) => ids.length > 0));
      expect(groupByAddress([...before, ...resumed.data().map((result) => result.events)])).toEqual(touched);
      await expectExact(classic);
    } finally {
      await classic.stop();
    }
  }, 300_000);
});
