import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { contractChannel, encodeEvent, entityChannel, epochKey, topicNames } from '../../src/domain/index.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { readCommittedEvents } from '../ingest/support/ingestHarness.ts';
import { testLogger } from '../ingest/support/testLogger.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { createHarness, type Harness } from '../process/support/harness.ts';
import { type PrivateRedis, startPrivateRedis } from '../process/support/privateRedis.ts';
import { produceRecords } from '../process/support/produce.ts';
import { mine, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { deployMarket, type MarketContract, marketAbi, readMarketView } from './support/marketChain.ts';
import { writeMarketConfig } from './support/marketConfig.ts';
import { diffMarket, queryListingList, queryListings, querySellerStats } from './support/marketGraphql.ts';
import { createProcessorPool, type ProcessorPool } from './support/marketProcessors.ts';
import { readMarketRedis } from './support/marketRedis.ts';
import { createMarketScenario } from './support/marketScenario.ts';
import {
  createListingSubscriber,
  cursorOrderProblems,
  type ListingSubscriber,
} from './support/marketSubscriber.ts';
import { createMarketTraffic } from './support/marketTraffic.ts';

const confirmations = 2;
const kills = 5;
/** Rounds (one kill each) whose start orphans confirmed blocks. */
const deepReorgRounds = [1, 3, 4];
/** Operations of each burst a kill lands in: over two of the processor's 500-event Redis pipelines. */
const burstOps = 750;
/** The wallet (index into the traffic's wallets) that only ever lists on branches that get orphaned. */
const orphanOnlySeller = 6;
/** The listing the GraphQL subscriber follows: the first one listed, kept alive and repriced often. */
const followed = 1n;
const hotListings = [1n, 2n, 3n];
const projectionNames = ['Listing', 'SellerStats'];

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
    const raw = writeMarketConfig({
      chain,
      market,
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: redisServer.url,
      id,
      dir,
    });
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
    const seconds = () => Math.round((Date.now() - startedAt) / 1000);
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
    const scenario = createMarketScenario({
      chain,
      traffic,
      harness,
      processors,
      topics,
      keyPrefix,
      redisUrl: redisServer.url,
      address,
      confirmations,
      orphanOnlySeller,
      burstOps,
    });
    const applied = () => harness.appliedCount([address]);
    const readState = () =>
      readMarketRedis({ redis: harness.redis, keyPrefix, chainId, address, projections: projectionNames });

    // A dApp follows listing 1 from before it exists.
    const follower = createListingSubscriber({
      wsUrl: graphqlUrl.replace(/^http/, 'ws'),
      chainId,
      listingId: followed,
    });
    subscriber = follower;
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
    await scenario.locatePartition();

    for (let round = 0; round < kills; round++) {
      await scenario.shallowReorg(round);
      // The subscriber is away during one deep reorg (its reversals reach it on resume) and during
      // every kill.
      if (round === 3) follower.disconnect();
      if (deepReorgRounds.includes(round)) await scenario.deepReorg(round);
      if (follower.connected()) follower.disconnect();
      await scenario.killWhileApplying(round);
      follower.resume();
      await traffic.blocks(5, 400 + round);
    }
    const trafficSeconds = seconds();

    // Bury everything: the views at the head are then the confirmed state.
    await traffic.blocks(10, 999);
    await mine(testClient, confirmations + 1);
    const tip = await publicClient.getBlockNumber({ cacheTime: 0 });
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
    const partition = scenario.partition();
    /** Records the processors could read when a victim died. */
    const produced = (offset: bigint) =>
      records.filter((record) => record.partition === partition && record.offset < offset).length;
    console.log(
      `[market e2e] ${records.length} records (${removed.length} REMOVED: ${[...removedNames].join(', ')}); ` +
        `calls ${JSON.stringify(traffic.counts)}; kills (applied before→at the watcher→after death / confirmed, ms burst/settle/kill): ${scenario.kills
          .map(
            (kill) =>
              `${kill.victim} ${kill.before}→${kill.seen}→${kill.after}/${produced(kill.offset)} ` +
              `${kill.timings.burst}/${kill.timings.settle}/${kill.timings.kill}`,
          )
          .join(', ')}; traffic done in ${trafficSeconds} s`,
    );

    // The run did what it claims: deep reorgs reversed sets, sales, deletes and creations; shallow ones
    // never reached events.confirmed; every kill hit the instance applying the Market's events after
    // it had applied part of a burst and before it had applied all of it.
    expect(records.length).toBeGreaterThanOrEqual(kills * burstOps);
    for (const name of ['Listed', 'PriceChanged', 'Sold', 'Cancelled']) expect(removedNames).toContain(name);
    expect(removed.every((record) => scenario.deepOrphaned.has(record.event.blockHash))).toBe(true);
    expect(records.some((record) => scenario.shallowOrphaned.has(record.event.blockHash))).toBe(false);
    expect(
      scenario.kills.map((kill) => kill.before < kill.after && kill.after < produced(kill.offset)),
    ).toEqual(Array.from({ length: kills }, () => true));
    expect(processors.all().length).toBe(3 + kills);

    // Exactly once, in order: the Market's journal holds its confirmed records.
    const journal = await harness.journal(address);
    expect(journal.map((entry) => `${entry.id}/${entry.status}`)).toEqual(
      records.map(({ event }) => `${event.id}/${event.status}`),
    );
    const removedCursors = new Set(
      journal.filter((entry) => entry.status === 'REMOVED').map((entry) => entry.cursor),
    );

    // Every listing id ever created (on any branch) and every seller ever seen (and every wallet):
    // GraphQL serves what the views return at the head.
    const view = await readMarketView({
      publicClient,
      market,
      listingIds: traffic.seen.listingIds,
      sellers: [...new Set([...traffic.seen.sellers, ...wallets.map((wallet) => wallet.account.address)])],
      blockNumber: tip,
    });
    for (let id = 1n; id < view.nextListingId; id++) expect(traffic.seen.listingIds.has(id)).toBe(true);
    const listings = await queryListings(graphqlUrl, chainId, traffic.seen.listingIds);
    const sellers = await querySellerStats(graphqlUrl, chainId, view.sellers.keys());
    expect(diffMarket(view, listings, sellers)).toEqual([]);
    const existing = [...view.listings].filter(([, listing]) => listing.exists).map(([id]) => id);
    // Cancelled listings are gone; the seller that only ever listed on orphaned branches has no stats.
    expect(existing.length).toBeLessThan(view.listings.size);
    expect(sellers.get(wallets[orphanOnlySeller]!.account.address.toLowerCase())).toBeNull();

    // Each entity says when it last changed: the block of the last canonical event of its listing,
    // and the cursor of a change of it in the projection's journal.
    const state = await readState();
    const changes = new Map<string, Set<string>>();
    for (const entry of state.projections.Listing!.journal)
      changes.set(entry.key, (changes.get(entry.key) ?? new Set()).add(entry.cursor));
    const lastBlocks = await lastEventBlocks(chain, market);
    expect(
      existing.map((id) => ({
        id,
        block: String(listings.get(id)!.updatedAtBlock),
        journaled: changes.get(id)?.has(listings.get(id)!.cursor),
      })),
    ).toEqual(existing.map((id) => ({ id, block: String(lastBlocks.get(id)), journaled: true })));

    // The list holds exactly the existing listings, each as the single-entity query serves it; a
    // filtered and ordered list holds the matching ones in order (ties by key, in the same direction).
    const list = await queryListingList(graphqlUrl, chainId);
    expect(list.pages).toBeGreaterThan(1);
    expect(list.items.map((item) => item.listingId).sort()).toEqual([...existing].sort());
    expect(list.items).toEqual(list.items.map((item) => listings.get(item.listingId)));
    const seller = wallets[0]!.account.address;
    const filtered = await queryListingList(graphqlUrl, chainId, {
      where: { seller, active: true },
      orderBy: 'price',
      order: 'DESC',
    });
    const expectedFiltered = [...view.listings]
      .filter(([, listing]) => listing.exists && listing.active && listing.seller === seller)
      .sort(
        ([a, left], [b, right]) =>
          compareDesc(BigInt(left.price), BigInt(right.price)) || compareDesc(BigInt(a), BigInt(b)),
      )
      .map(([id]) => id);
    expect(expectedFiltered.length).toBeGreaterThan(1);
    expect(filtered.items.map((item) => item.listingId)).toEqual(expectedFiltered);

    // The subscriber: every change of listing 1 once, in order, across its resumes, folding to the
    // entity the query serves. Among them listing 1 deleted and sold on orphaned branches, and the
    // reversals bringing it back.
    const changesOfFollowed = state.projections.Listing!.journal.filter((entry) => entry.key === '1');
    await waitFor(() => follower.updates.at(-1)?.cursor === changesOfFollowed.at(-1)?.cursor, {
      description: 'the subscriber to receive the last change of listing 1',
      timeoutMs: 30_000,
      abort: () => (follower.failure() ? String(follower.failure()) : undefined),
    }).catch(() => undefined);
    follower.stop();
    expect(follower.failure()).toBeUndefined();
    expect(follower.resumes()).toBeGreaterThanOrEqual(3);
    expect(cursorOrderProblems(follower.updates)).toEqual([]);
    expect(follower.updates.map((update) => update.cursor)).toEqual(
      changesOfFollowed.map((entry) => entry.cursor),
    );
    expect(follower.updates.some((update) => update.deleted && update.entity === null)).toBe(true);
    expect(follower.updates.some((update) => update.entity?.active === false)).toBe(true);
    const reversals = follower.updates.filter((update) => removedCursors.has(update.cursor));
    expect(reversals.length).toBeGreaterThanOrEqual(deepReorgRounds.length);
    const folded = follower.updates.at(-1)!;
    expect(folded.deleted).toBe(false);
    expect(folded.entity).toEqual(listings.get('1'));

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
      expect(await applied()).toBe(records.length);
      expect(await readState()).toEqual(state);
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
        rebuilt = await readState();
        return isDeepStrictEqual(rebuilt, state);
      },
      {
        description: `the rebuild after FLUSHALL (processor log: ${processors.logFile})`,
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    ).catch(() => undefined);
    expect(rebuilt).toEqual(state);
    const listingsRebuilt = await queryListings(graphqlUrl, chainId, traffic.seen.listingIds);
    const sellersRebuilt = await querySellerStats(graphqlUrl, chainId, view.sellers.keys());
    expect(diffMarket(view, listingsRebuilt, sellersRebuilt)).toEqual([]);
    expect(listingsRebuilt).toEqual(listings);
    console.log(
      `[market e2e] ${follower.updates.length} updates of listing 1 (${reversals.length} reversals) over ${follower.resumes()} resumes; ` +
        `${existing.length} of ${view.listings.size} listings exist; done in ${seconds()} s`,
    );
  }, 300_000);
});

/** Descending order of two bigints (-1 when `a` comes first). */
function compareDesc(a: bigint, b: bigint): number {
  return a === b ? 0 : a > b ? -1 : 1;
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
