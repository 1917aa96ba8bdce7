import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hash } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContracts, waitFor } from '../../src/dev-stack/index.ts';
import {
  contractChannel,
  contractKeys,
  encodeEvent,
  entityChannel,
  epochKey,
  metaFields,
  topicNames,
} from '../../src/domain/index.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { type ConfirmedRecord, readCommittedEvents } from '../ingest/support/ingestHarness.ts';
import { testLogger } from '../ingest/support/testLogger.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { createHarness, type Harness } from '../process/support/harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../process/support/privateRedis.ts';
import { produceRecords } from '../process/support/produce.ts';
import {
  mine,
  reorg,
  replaceSince,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  deployMarket,
  type MarketContract,
  marketAbi,
  marketProjections,
  readMarketView,
} from './support/marketChain.ts';
import { diffMarket, queryListingList, queryListings, querySellerStats } from './support/marketGraphql.ts';
import { armKillSwitch } from './support/marketKillSwitch.ts';
import { createProcessorPool, type ProcessorPool } from './support/marketProcessors.ts';
import { readMarketRedis } from './support/marketRedis.ts';
import {
  createListingSubscriber,
  cursorOrderProblems,
  type ListingSubscriber,
} from './support/marketSubscriber.ts';
import { createMarketTraffic, type MarketOp } from './support/marketTraffic.ts';

const confirmations = 2;
const kills = 5;
/** Rounds (one kill each) whose start orphans confirmed blocks. */
const deepReorgRounds = [1, 3, 4];
/** Operations of each burst a kill lands in: over two of the processor's 500-event Redis pipelines. */
const burstOps = 1_050;
/** The wallet (index into the traffic's wallets) that only ever lists on branches that get orphaned. */
const orphanOnlySeller = 6;
/** The listing the GraphQL subscriber follows: the first one listed, kept alive and repriced often. */
const followed = 1n;
const hotListings = [1n, 2n, 3n];
const projectionNames = marketProjections.map((projection) => projection.name);

describe('pipeline: declarative projections of a custom contract', () => {
  let chain: TestChain;
  let redisServer: PrivateRedis;
  let market: MarketContract;
  let config: ResolvedConfig;
  let harness: Harness;
  let ingest: Ingest | undefined;
  let gateway: Gateway | undefined;
  let graphqlUrl: string;
  let pool: ProcessorPool | undefined;
  let subscriber: ListingSubscriber | undefined;

  beforeAll(async () => {
    const stack = getStack();
    chain = await startTestChain();
    // FLUSHALL must never reach the Redis other test files share.
    redisServer = await startPrivateRedis();
    market = await deployMarket({ publicClient: chain.publicClient, walletClient: chain.walletClients[0]! });
    const id = randomId('e2e-market');
    const dir = mkdtempSync(join(tmpdir(), `${id}-`));
    writeFileSync(join(dir, 'Market.json'), JSON.stringify(compileContracts().Market!.abi));
    const raw = {
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
              projections: marketProjections,
            },
          ],
        },
      ],
      kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 3, clientId: id },
      redis: { url: redisServer.url, keyPrefix: `${id}:` },
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
    config = parseConfig({ raw, baseDir: dir });
    harness = await createHarness({ config, chainId: chain.chainId });
    ingest = createIngest({ config, logger: testLogger('market-projections') });
    await ingest.start();
    gateway = createGateway({ config, logger: testLogger('market-projections-gateway') });
    graphqlUrl = (await gateway.start()).url;
    pool = createProcessorPool({
      raw,
      dir,
      admin: harness.admin,
      redis: harness.redis,
      keyPrefix: config.redis.keyPrefix,
      groupBase: config.process.groupId!,
      topic: topicNames(config.kafka.topicPrefix).confirmed,
    });
  }, 120_000);

  afterAll(async () => {
    subscriber?.stop();
    await gateway?.stop();
    await pool?.stop();
    await ingest?.stop();
    await harness?.close();
    await redisServer?.stop();
    await chain?.stop();
  }, 60_000);

  it('serves Listing and SellerStats equal to the contract views after reorgs, deep reorgs and SIGKILLed processors; a resumed subscriber folds to the same entity; duplicates change nothing; FLUSHALL rebuilds the same state', async () => {
    const startedAt = Date.now();
    const { publicClient, testClient, chainId } = chain;
    const wallets = chain.walletClients.slice(1, 8);
    const traffic = createMarketTraffic({
      publicClient,
      testClient,
      market,
      wallets,
      quietWallets: [orphanOnlySeller],
    });
    const topics = topicNames(config.kafka.topicPrefix);
    const keyPrefix = config.redis.keyPrefix;
    const address = market.address.toLowerCase();
    const processors = pool!;
    const head = async () => publicClient.getBlockNumber({ cacheTime: 0 });
    const applied = () => harness.appliedCount([address]);
    const shallowOrphaned = new Set<Hash>();
    const deepOrphaned = new Set<Hash>();
    const phases: string[] = [];
    const kills_: {
      victim: string;
      before: number;
      seen: number;
      applied: number;
      offset: bigint;
      partition: number;
    }[] = [];

    // A dApp follows listing 1 from before it exists.
    const wsUrl = graphqlUrl.replace(/^http/, 'ws');
    subscriber = createListingSubscriber({ wsUrl, chainId, listingId: followed });
    const follower = subscriber;
    await waitFor(() => gateway!.stats().listeners >= 1, {
      description: 'the Market_ListingUpdated subscription to listen',
      timeoutMs: 20_000,
      abort: () => (follower.failure() ? String(follower.failure()) : undefined),
    });

    processors.start(3);
    await Promise.all(processors.live().map((instance) => instance.consuming));

    // Listings 1-3 are the hot ones: random traffic reprices them often and never buys or cancels
    // them; only branches that get orphaned do.
    const first = await traffic.send(
      hotListings.map((_, from) => ({ kind: 'list', from, price: 10n ** 18n + BigInt(from) })),
    );
    expect(first.listed).toEqual(hotListings);
    for (const id of hotListings) traffic.hot.add(id);
    await traffic.blocks(20, 1);

    // Every record of the Market goes to one partition of events.confirmed.
    const partition = await waitFor(
      async () =>
        (await harness.admin.fetchTopicOffsets(topics.confirmed)).find((entry) => entry.high !== '0')
          ?.partition,
      { description: 'the Market partition of events.confirmed', timeoutMs: 60_000, intervalMs: 200 },
    );

    /** At most `confirmations` deep: the orphaned blocks (a burst among them) never reach events.confirmed. */
    const shallowReorg = async (round: number) => {
      const result = await reorg(testClient, {
        depth: 1 + (round % confirmations),
        orphanedTxs: () => traffic.burst(40, 200 + round),
        txs: () => traffic.blocks(1, 300 + round),
      });
      for (const hash of result.orphaned) shallowOrphaned.add(hash);
    };

    /** What the orphaned branch of each deep reorg does to the hot listings: sets, a sale, a delete. */
    const orphanedOps = (round: number): MarketOp[] => {
      switch (round) {
        case 1:
          return [
            { kind: 'changePrice', from: 3, listingId: 1n, price: 777n },
            { kind: 'cancel', from: 4, listingId: 1n },
            { kind: 'list', from: orphanOnlySeller, price: 5n },
            { kind: 'buy', from: 5, listingId: 2n },
          ];
        case 3:
          return [
            { kind: 'changePrice', from: 2, listingId: 1n, price: 2n ** 255n },
            { kind: 'buy', from: 0, listingId: 1n },
            { kind: 'cancel', from: 1, listingId: 3n },
          ];
        default:
          return [
            { kind: 'buy', from: 4, listingId: 1n },
            { kind: 'list', from: orphanOnlySeller, price: 6n },
            { kind: 'changePrice', from: 3, listingId: 2n, price: 1n },
          ];
      }
    };

    /**
     * Orphans blocks whose events were confirmed (and applied) already, so REMOVED records flow to
     * the processors and every change the orphaned calls made must be reversed.
     */
    const deepReorg = async (round: number) => {
      const snapshot = await takeChainSnapshot(testClient);
      await traffic.send(orphanedOps(round));
      await traffic.burst(60, 500 + round);
      await mine(testClient, confirmations + 1);
      await waitForCheckpoint(
        harness.kafka,
        topics.checkpoints,
        chainId,
        Number(await head()) - confirmations,
      );
      const result = await replaceSince(testClient, snapshot, {
        txs: () => traffic.blocks(confirmations + 2, 600 + round),
      });
      for (const hash of result.orphaned) deepOrphaned.add(hash);
    };

    /**
     * A burst of events confirmed at once; the instance holding the Market partition is SIGKILLed as
     * soon as it has applied part of it (by a watcher process), and replaced.
     */
    const killWhileApplying = async (round: number) => {
      // Everything before the burst is in Kafka first, so the next progress is the burst's.
      await mine(testClient, confirmations);
      await waitForCheckpoint(
        harness.kafka,
        topics.checkpoints,
        chainId,
        Number(await head()) - confirmations,
      );
      await traffic.burst(burstOps, 100 + round);
      // The group settles (a previous kill's member expires, its replacement joins) and applies
      // everything confirmed so far while the burst is not confirmed yet.
      const victim = await waitFor(() => processors.owner(partition), {
        description: `a settled group and the instance holding partition ${partition} (processor log: ${processors.logFile})`,
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      await harness.waitForCommitted(60_000);
      const before = await applied();
      const killSwitch = await armKillSwitch({
        redisUrl: redisServer.url,
        key: contractKeys(keyPrefix, chainId, address).meta,
        field: metaFields.appliedCount,
        above: before,
        pid: victim.child.pid!,
      });
      await mine(testClient, confirmations);
      const seen = await killSwitch.fired(60_000);
      await processors.killAndReplace(victim);
      const offsets = await harness.admin.fetchTopicOffsets(topics.confirmed);
      kills_.push({
        victim: victim.name,
        before,
        seen,
        applied: await applied(),
        offset: BigInt(offsets.find((entry) => entry.partition === partition)!.offset),
        partition,
      });
    };

    for (let round = 0; round < kills; round++) {
      await shallowReorg(round);
      // The subscriber is away during the deep reorg of round 3 (its reversals reach it on resume)
      // and during every kill.
      if (round === 3) follower.disconnect();
      if (deepReorgRounds.includes(round)) await deepReorg(round);
      if (follower.connected()) follower.disconnect();
      await killWhileApplying(round);
      follower.resume();
      await traffic.blocks(5, 400 + round);
      phases.push(`round ${round} ${Math.round((Date.now() - startedAt) / 1000)} s`);
    }

    // Bury everything: the views at the head are then the confirmed state.
    await traffic.blocks(10, 999);
    await mine(testClient, confirmations + 1);
    const tip = await head();
    await waitForCheckpoint(harness.kafka, topics.checkpoints, chainId, Number(tip) - confirmations);
    const records = (await readCommittedEvents(harness.kafka, topics.confirmed)).filter(
      (record) => record.event.address === address,
    );
    await waitFor(async () => (await applied()) >= records.length, {
      description: `${records.length} journal entries (processor log: ${processors.logFile})`,
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    await harness.waitForCommitted(60_000);

    const removed = records.filter((record) => record.event.status === 'REMOVED');
    const removedNames = new Set(removed.map((record) => record.event.eventName));
    const midApply = kills_.filter(
      (kill) => kill.applied < producedBefore(records, kill.partition, kill.offset),
    );
    console.log(
      `[market e2e] ${records.length} records (${removed.length} REMOVED: ${[...removedNames].join(', ')}); ` +
        `calls ${JSON.stringify(traffic.counts)}; kills (victim applied before→seen→after/produced): ${kills_
          .map(
            (kill) =>
              `${kill.victim} ${kill.before}→${kill.seen}→${kill.applied}/${producedBefore(records, kill.partition, kill.offset)}`,
          )
          .join(', ')}; subscriber ${follower.updates.length} updates, ${follower.resumes()} resumes; ` +
        `${phases.join(', ')}; ${Math.round((Date.now() - startedAt) / 1000)} s so far`,
    );

    // The run did what it claims: deep reorgs reversed sets, sales and deletes, and every kill hit the
    // instance applying the Market's events with confirmed events of the burst still unapplied.
    expect(records.length).toBeGreaterThanOrEqual(kills * burstOps);
    for (const name of ['Listed', 'PriceChanged', 'Sold', 'Cancelled']) expect(removedNames).toContain(name);
    expect(removed.every((record) => deepOrphaned.has(record.event.blockHash))).toBe(true);
    expect(records.some((record) => shallowOrphaned.has(record.event.blockHash))).toBe(false);
    expect(kills_.length).toBe(kills);
    expect(midApply.length).toBe(kills);
    expect(processors.all().length).toBe(3 + kills);

    // Exactly once, in order: the Market's journal holds its confirmed records.
    expect((await harness.journal(address)).map((entry) => `${entry.id}/${entry.status}`)).toEqual(
      records.map(({ event }) => `${event.id}/${event.status}`),
    );

    // Every listing id ever created (on any branch) and every seller ever seen: GraphQL equals the views.
    const view = await readMarketView({
      publicClient,
      market,
      listingIds: traffic.seen.listingIds,
      sellers: [...new Set([...traffic.seen.sellers, ...wallets.map((wallet) => wallet.account.address)])],
      blockNumber: tip,
    });
    for (let id = 1n; id < view.nextListingId; id++) expect(traffic.seen.listingIds.has(id)).toBe(true);
    const listingsOverGraphql = await queryListings(graphqlUrl, chainId, traffic.seen.listingIds);
    const sellersOverGraphql = await querySellerStats(graphqlUrl, chainId, view.sellers.keys());
    expect(diffMarket(view, listingsOverGraphql, sellersOverGraphql)).toEqual([]);
    const existing = [...view.listings].filter(([, listing]) => listing.exists).map(([id]) => id);
    const gone = [...view.listings].filter(([, listing]) => !listing.exists).length;
    expect(gone).toBeGreaterThan(0);
    expect(view.sellers.get(wallets[orphanOnlySeller]!.account.address.toLowerCase())).toEqual({
      listings: '0',
      sales: '0',
      volume: '0',
    });

    // Each entity says when it last changed: the block of the last canonical event of its listing, and
    // the cursor of one of its changes in the projection's journal.
    const state = await readMarketRedis({
      redis: harness.redis,
      keyPrefix,
      chainId,
      address,
      projections: projectionNames,
    });
    const changes = new Map<string, Set<string>>();
    for (const entry of state.projections.Listing!.journal)
      changes.set(entry.key, (changes.get(entry.key) ?? new Set()).add(entry.cursor));
    const lastBlock = await lastEventBlocks(chain, market);
    const stamps = existing.map((id) => {
      const entity = listingsOverGraphql.get(id)!;
      return { id, block: String(entity.updatedAtBlock), journaled: changes.get(id)?.has(entity.cursor) };
    });
    expect(stamps).toEqual(existing.map((id) => ({ id, block: String(lastBlock.get(id)), journaled: true })));

    // The list holds exactly the existing listings, each as the single-entity query serves it.
    const list = await queryListingList(graphqlUrl, chainId);
    expect(list.pages).toBeGreaterThan(1);
    expect(list.items.map((item) => item.listingId).sort()).toEqual([...existing].sort());
    expect(list.items).toEqual(list.items.map((item) => listingsOverGraphql.get(item.listingId)));

    // The subscriber: every change of listing 1 once, in order, across its resumes, folding to the
    // entity the query serves.
    const journalOfFollowed = state.projections.Listing!.journal.filter((entry) => entry.key === '1');
    await waitFor(() => follower.updates.at(-1)?.cursor === journalOfFollowed.at(-1)?.cursor, {
      description: 'the subscriber to receive the last change of listing 1',
      timeoutMs: 30_000,
    }).catch(() => undefined);
    follower.stop();
    expect(follower.failure()).toBeUndefined();
    expect(follower.resumes()).toBeGreaterThanOrEqual(3);
    expect(cursorOrderProblems(follower.updates)).toEqual([]);
    expect(follower.updates.map((update) => update.cursor)).toEqual(
      journalOfFollowed.map((entry) => entry.cursor),
    );
    // It saw listing 1 deleted and restored, sold and un-sold, on orphaned branches.
    expect(follower.updates.some((update) => update.deleted && update.entity === null)).toBe(true);
    expect(follower.updates.some((update) => update.entity?.active === false)).toBe(true);
    const folded = follower.updates.at(-1)!;
    expect(folded.deleted).toBe(false);
    expect(folded.entity).toEqual(listingsOverGraphql.get('1'));

    // The same records produced a second time: entities, index, journals and counts stay as they are,
    // and nothing is published again.
    const watcher = harness.redis.duplicate();
    const republished: string[] = [];
    watcher.on('pmessage', (_pattern: string, channel: string) => republished.push(channel));
    await watcher.psubscribe(
      entityChannel(keyPrefix, chainId, address, '*'),
      contractChannel(keyPrefix, chainId, address),
    );
    try {
      await produceRecords(
        harness.producer,
        records.map((record) => ({
          topic: topics.confirmed,
          key: record.key,
          value: encodeEvent(record.event),
        })),
        500,
      );
      await harness.waitForCommitted(60_000);
      expect(
        await readMarketRedis({
          redis: harness.redis,
          keyPrefix,
          chainId,
          address,
          projections: projectionNames,
        }),
      ).toEqual(state);
      expect(await queryListingList(graphqlUrl, chainId)).toEqual(list);
      expect(republished).toEqual([]);
    } finally {
      watcher.disconnect();
    }

    // FLUSHALL: the processors notice and rebuild the same state from events.confirmed.
    const epoch = await harness.redis.get(epochKey(keyPrefix));
    await harness.redis.flushall();
    let rebuilt: unknown;
    await waitFor(
      async () => {
        const current = await harness.redis.get(epochKey(keyPrefix));
        if (!current || current === epoch || current.startsWith('rebuilding:')) return false;
        rebuilt = await readMarketRedis({
          redis: harness.redis,
          keyPrefix,
          chainId,
          address,
          projections: projectionNames,
        });
        return JSON.stringify(rebuilt) === JSON.stringify(state);
      },
      {
        description: `the rebuild after FLUSHALL (processor log: ${processors.logFile})`,
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    ).catch(() => undefined);
    expect(rebuilt).toEqual(state);
    expect(
      diffMarket(
        view,
        await queryListings(graphqlUrl, chainId, traffic.seen.listingIds),
        await querySellerStats(graphqlUrl, chainId, view.sellers.keys()),
      ),
    ).toEqual([]);
    console.log(`[market e2e] done in ${Math.round((Date.now() - startedAt) / 1000)} s`);
  }, 300_000);
});

/** Committed records of `partition` below `offset`: what the processors could read at that moment. */
function producedBefore(records: ConfirmedRecord[], partition: number, offset: bigint): number {
  return records.filter((record) => record.partition === partition && record.offset < offset).length;
}

/** Block of the last canonical event of each listing (decimal id), from the chain's logs. */
async function lastEventBlocks(chain: TestChain, market: MarketContract): Promise<Map<string, bigint>> {
  const logs = await chain.publicClient.getContractEvents({
    address: market.address,
    abi: marketAbi,
    fromBlock: market.startBlock,
    toBlock: 'latest',
  });
  const blocks = new Map<string, bigint>();
  for (const log of logs) blocks.set(String(log.args.listingId), log.blockNumber);
  return blocks;
}
