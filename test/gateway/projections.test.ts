/**
 * Custom state over GraphQL: the typed queries and `<Contract>_<Projection>Updated` subscriptions of
 * the example config's Market projections, read from entities, indexes, journals and channel
 * messages written the way the processor writes them (support/entityWriter.ts).
 */
import { type ExecutionResult, parse } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ResolvedConfig, resolveProjections } from '../../src/shared/config/index.ts';
import {
  EntityUpdatesDocument,
  MarketListingDocument,
  MarketListingsDocument,
  type MarketListingsQuery,
  type MarketListingsQueryVariables,
  MarketListingUpdatedDocument,
  type MarketListingUpdatedSubscription,
} from './generated/graphql.ts';
import { postGraphql, subscribeSse, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { createEntityWriter, type EntityWriter, type WrittenChange } from './support/entityWriter.ts';
import { openRawSocket } from './support/rawWs.ts';
import { startTestGateway, type TestGateway } from './support/startTestGateway.ts';

const chainId = 31337;
const market = '0xdc64a140aa3e981100a9beca4e685f962f0cf6c9';
const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const aliceChecksummed = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

type Update = MarketListingUpdatedSubscription['Market_ListingUpdated'];
type GraphqlError = { message: string; extensions: Record<string, unknown> };

/** The example config with more projections on Market (resolved against its ABI). */
function withMarketProjections(projections: Parameters<typeof resolveProjections>[0]) {
  return (config: ResolvedConfig): ResolvedConfig => ({
    ...config,
    chains: config.chains.map((chain) => ({
      ...chain,
      contracts: chain.contracts.map((contract) =>
        contract.name !== 'Market'
          ? contract
          : {
              ...contract,
              projections: [
                ...contract.projections,
                ...resolveProjections(projections, contract.abi, 'test'),
              ],
            },
      ),
    })),
  });
}

/** Plus a projection with a composite key (seller, listingId) named Offer. */
const withOffers = withMarketProjections([
  { name: 'Offer', key: ['args.seller', 'args.listingId'], on: { Listed: { set: { price: 'args.price' } } } },
]);

function writer(t: TestGateway, projection: string, keyFields: string[]): EntityWriter {
  return createEntityWriter({
    redis: t.redis,
    keyPrefix: t.config.redis.keyPrefix,
    chainId,
    address: market,
    projection,
    keyFields,
  });
}

async function untilListening(t: TestGateway, count: number): Promise<void> {
  await waitUntil(() => t.gateway.stats().listeners === count, 20_000, `${count} live subscriptions`);
}

const cursors = (updates: Update[]) => updates.map((update) => update.cursor);

describe('projection queries', () => {
  let t: TestGateway;
  let listings: EntityWriter;

  beforeAll(async () => {
    t = await startTestGateway({ configure: withOffers });
    listings = writer(t, 'Listing', ['listingId']);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('reads one entity by key with typed values, additive fields never written as "0"', async () => {
    await listings.put(
      ['1'],
      { seller: alice, price: '1000000000000000000000', active: 'true', listedAt: '1700000100' },
      100,
      2,
    );
    const { body } = await postGraphql(t.url, MarketListingDocument, { chainId, listingId: '1' });
    expect(body.errors).toBeUndefined();
    expect(body.data?.Market_Listing).toEqual({
      listingId: '1',
      seller: aliceChecksummed,
      price: '1000000000000000000000',
      active: true,
      listedAt: '1700000100',
      buyer: null,
      volume: '0',
      updatedAtBlock: '100',
      cursor: '100-2',
    });
  });

  it('answers null for an entity that was deleted or never existed', async () => {
    await listings.put(['2'], { seller: bob, price: '5', active: 'true' }, 101);
    await listings.remove(['2'], 102);
    for (const listingId of ['2', '999']) {
      const { body } = await postGraphql(t.url, MarketListingDocument, { chainId, listingId });
      expect(body.errors).toBeUndefined();
      expect(body.data?.Market_Listing).toBeNull();
    }
  });

  it('reads an entity of a composite key', async () => {
    const offers = writer(t, 'Offer', ['seller', 'listingId']);
    await offers.put([alice, '7'], { price: '70' }, 103);
    const { body } = await postGraphql<{ Market_Offer: unknown }, Record<string, unknown>>(
      t.url,
      'query ($seller: Address!) { Market_Offer(chainId: 31337, seller: $seller, listingId: "7") { seller listingId price } }',
      { seller: aliceChecksummed },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.Market_Offer).toEqual({ seller: aliceChecksummed, listingId: '7', price: '70' });
  });

  it('refuses a chain where the contract is not configured, naming chainId and the contract', async () => {
    const { body } = await postGraphql(t.url, MarketListingDocument, { chainId: 5, listingId: '1' });
    const error = body.errors?.[0] as GraphqlError | undefined;
    expect(error?.extensions.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toMatch(
      /^Argument chainId must be a chain where contract Market has the projection Listing \(31337\)\. Got 5\./,
    );
  });
});

describe('projection lists', () => {
  let t: TestGateway;
  // listingId → price, seller, active (listing 16 has no price: it sorts last both ways).
  const rows: Array<[string, string | undefined, string, boolean]> = [
    ['3', '300', alice, true],
    ['10', '100', bob, true],
    ['11', '100', alice, false],
    ['12', '250', bob, true],
    ['13', '50', alice, true],
    ['14', '900', bob, false],
    ['15', '250', alice, true],
    ['16', undefined, bob, true],
  ];

  type Page = MarketListingsQuery['Market_ListingList'];
  const list = async (
    variables: MarketListingsQueryVariables,
  ): Promise<ExecutionResult<MarketListingsQuery>> =>
    (await postGraphql(t.url, MarketListingsDocument, variables)).body;
  const ids = (page: Page | undefined) => page?.items.map((item) => item.listingId);

  /** Every page of a list, following endCursor. */
  async function allPages(variables: MarketListingsQueryVariables): Promise<Page[]> {
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const body = await list({ ...variables, after });
      expect(body.errors).toBeUndefined();
      const page = body.data!.Market_ListingList;
      pages.push(page);
      after = page.hasNextPage ? page.endCursor : null;
    } while (after !== null && pages.length < 20);
    return pages;
  }

  beforeAll(async () => {
    t = await startTestGateway();
    const listings = writer(t, 'Listing', ['listingId']);
    let block = 200;
    for (const [listingId, price, seller, active] of rows) {
      const fields: Record<string, string> = { seller, active: String(active) };
      if (price !== undefined) fields.price = price;
      await listings.put([listingId], fields, block++);
    }
    await listings.put(['17'], { seller: alice, price: '1', active: 'true' }, block++);
    await listings.remove(['17'], block++);
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('orders by the first key field numerically by default, without deleted entities', async () => {
    const body = await list({ chainId });
    expect(body.errors).toBeUndefined();
    expect(ids(body.data?.Market_ListingList)).toEqual(['3', '10', '11', '12', '13', '14', '15', '16']);
    expect(body.data?.Market_ListingList.hasNextPage).toBe(false);
  });

  it('filters by equality on every field given', async () => {
    const active = await list({ chainId, where: { active: true, seller: aliceChecksummed } });
    expect(ids(active.data?.Market_ListingList)).toEqual(['3', '13', '15']);
    const byPrice = await list({ chainId, where: { price: '100' } });
    expect(ids(byPrice.data?.Market_ListingList)).toEqual(['10', '11']);
    const neverSold = await list({ chainId, where: { volume: '0', active: false } });
    expect(ids(neverSold.data?.Market_ListingList)).toEqual(['11', '14']);
  });

  it('orders by a field both ways, ties by key, entities without the value last', async () => {
    const ascending = await list({ chainId, orderBy: 'price', order: 'ASC' });
    expect(ids(ascending.data?.Market_ListingList)).toEqual(['13', '10', '11', '12', '15', '3', '14', '16']);
    const descending = await list({ chainId, orderBy: 'price', order: 'DESC' });
    expect(ids(descending.data?.Market_ListingList)).toEqual(['14', '3', '15', '12', '11', '10', '13', '16']);
  });

  it('pages with first and after through every entity once, in order', async () => {
    const pages = await allPages({ chainId, orderBy: 'price', order: 'DESC', first: 3 });
    expect(pages.map((page) => page.items.length)).toEqual([3, 3, 2]);
    expect(pages.flatMap((page) => ids(page)!)).toEqual(['14', '3', '15', '12', '11', '10', '13', '16']);
    expect(pages.at(-1)?.hasNextPage).toBe(false);
  });

  it('goes on after the last entity of a page even when entities changed in between', async () => {
    const first = await list({ chainId, orderBy: 'price', first: 2 });
    const page = first.data!.Market_ListingList;
    expect(ids(page)).toEqual(['13', '10']);
    // A new cheapest listing sorts before the cursor and does not shift the next page.
    await writer(t, 'Listing', ['listingId']).put(['18'], { seller: bob, price: '1', active: 'true' }, 300);
    const next = await list({ chainId, orderBy: 'price', first: 2, after: page.endCursor });
    expect(ids(next.data?.Market_ListingList)).toEqual(['11', '12']);
  });

  it('refuses a malformed after, an after of another order and first out of range, naming the argument', async () => {
    const first = await list({ chainId, orderBy: 'price', first: 2 });
    const cases: Array<[MarketListingsQueryVariables, string, RegExp]> = [
      [{ chainId, after: 'page-2' }, 'after', /must be the endCursor of a previous page/],
      [
        { chainId, orderBy: 'listedAt', after: first.data!.Market_ListingList.endCursor },
        'after',
        /ordered by price ASC: pass the same orderBy and order \(got listedAt ASC\)/,
      ],
      [{ chainId, first: 0 }, 'first', /must be between 1 and 500\. Got 0\./],
      [{ chainId, first: 501 }, 'first', /must be between 1 and 500\. Got 501\./],
    ];
    for (const [variables, argument, message] of cases) {
      const body = await list(variables);
      const error = body.errors?.[0] as GraphqlError | undefined;
      expect(error?.extensions.code).toBe('BAD_USER_INPUT');
      expect(error?.extensions.argument).toBe(argument);
      expect(error?.message).toMatch(message);
    }
  });
});

describe('projection update subscriptions', () => {
  let t: TestGateway;
  let listings: EntityWriter;
  let block = 1000;

  beforeAll(async () => {
    t = await startTestGateway({ configure: withOffers });
    listings = writer(t, 'Listing', ['listingId']);
  });

  afterEach(async () => {
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'subscriptions released');
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('pushes each change live with its cursor: one entity by key, or every entity', async () => {
    const client = wsClient(t.wsUrl);
    const one = subscribeWs(client, MarketListingUpdatedDocument, { chainId, listingId: '21' });
    const all = subscribeWs(client, MarketListingUpdatedDocument, { chainId });
    await untilListening(t, 2);

    const written: WrittenChange[] = [];
    written.push(await listings.put(['21'], { seller: alice, price: '10', active: 'true' }, ++block));
    written.push(await listings.put(['22'], { seller: bob, price: '20', active: 'true' }, block, 1));
    written.push(
      await listings.put(
        ['21'],
        { seller: alice, price: '10', active: 'false', buyer: bob, volume: '10' },
        ++block,
      ),
    );
    written.push(await listings.remove(['22'], ++block));
    // A reversal of the sale restores the listing as it was (with the REMOVED event's cursor).
    written.push(await listings.put(['21'], { seller: alice, price: '10', active: 'true' }, ++block));

    const everything = (await all.waitFor(5)).map((data) => data.Market_ListingUpdated);
    const mine = (await one.waitFor(3)).map((data) => data.Market_ListingUpdated);
    one.stop();
    all.stop();
    await client.dispose();

    expect(cursors(everything)).toEqual(written.map((change) => change.cursor));
    expect(everything.map((update) => [update.listingId, update.deleted])).toEqual([
      ['21', false],
      ['22', false],
      ['21', false],
      ['22', true],
      ['21', false],
    ]);
    expect(everything[3]?.entity).toBeNull();
    expect(cursors(mine)).toEqual([written[0], written[2], written[4]].map((change) => change!.cursor));
    expect(mine[1]?.entity).toMatchObject({
      active: false,
      buyer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      volume: '10',
    });
    expect(mine[2]?.entity).toMatchObject({
      active: true,
      buyer: null,
      volume: '0',
      cursor: mine[2]?.cursor,
    });
  });

  it('resumes after a cursor: the journal after it, then live, gapless and without duplicates', async () => {
    const before: WrittenChange[] = [];
    for (let i = 0; i < 6; i++)
      before.push(
        await listings.put(
          [String(30 + (i % 2))],
          { seller: alice, price: String(i), active: 'true' },
          ++block,
        ),
      );
    const resumeFrom = before[2]!.cursor;

    const client = wsClient(t.wsUrl);
    const all = subscribeWs(client, MarketListingUpdatedDocument, { chainId, after: resumeFrom });
    const one = subscribeWs(client, MarketListingUpdatedDocument, {
      chainId,
      listingId: '31',
      after: resumeFrom,
    });
    // Written while the subscriptions start: each change must arrive exactly once, whether it
    // lands in the replay or in the buffered live messages.
    const during: WrittenChange[] = [];
    for (let i = 0; i < 10; i++)
      during.push(
        await listings.put(
          [String(30 + (i % 2))],
          { seller: bob, price: String(100 + i), active: 'true' },
          ++block,
        ),
      );
    await untilListening(t, 2);
    const after: WrittenChange[] = [];
    for (let i = 0; i < 4; i++)
      after.push(
        await listings.put(
          [String(30 + (i % 2))],
          { seller: bob, price: String(200 + i), active: 'false' },
          ++block,
        ),
      );

    // A last change closes the run: a duplicate of anything before would arrive ahead of it.
    const last = await listings.put(['31'], { seller: bob, price: '999', active: 'true' }, ++block);
    const expected = [...before.slice(3), ...during, ...after, last];
    const mineExpected = expected.filter((change) => change.key === '31');
    const everything = (await all.waitFor(expected.length)).map((data) => data.Market_ListingUpdated);
    const mine = (await one.waitFor(mineExpected.length)).map((data) => data.Market_ListingUpdated);
    one.stop();
    all.stop();
    await client.dispose();

    expect(cursors(everything)).toEqual(expected.map((change) => change.cursor));
    expect(everything.map((update) => update.entity?.price)).toEqual(
      expected.map((change) => change.entity?.price),
    );
    expect(cursors(mine)).toEqual(mineExpected.map((change) => change.cursor));
    expect(mine.every((update) => update.listingId === '31')).toBe(true);
    expect(all.results).toHaveLength(expected.length);
    expect(one.results).toHaveLength(mineExpected.length);
  });

  it('resumes over SSE too', async () => {
    const first = await listings.put(['40'], { seller: alice, price: '1', active: 'true' }, ++block);
    const second = await listings.put(['40'], { seller: alice, price: '2', active: 'true' }, ++block);
    const overSse = subscribeSse(t.url, MarketListingUpdatedDocument, {
      chainId,
      listingId: '40',
      after: first.cursor,
    });
    await untilListening(t, 1);
    const third = await listings.remove(['40'], ++block);
    const updates = (await overSse.waitFor(2)).map((data) => data.Market_ListingUpdated);
    overSse.stop();
    expect(cursors(updates)).toEqual([second.cursor, third.cursor]);
    expect(updates.map((update) => update.deleted)).toEqual([false, true]);
  });

  it('refuses to resume from a cursor older than the trimmed journal, like events do', async () => {
    const changes: WrittenChange[] = [];
    for (let i = 0; i < 8; i++)
      changes.push(await listings.put(['50'], { seller: alice, price: String(i), active: 'true' }, ++block));
    await t.redis.xtrim(listings.journalKey, 'MAXLEN', 3);
    const [oldest] = await t.redis.xrange(listings.journalKey, '-', '+', 'COUNT', 1);

    const client = wsClient(t.wsUrl);
    const expired = subscribeWs(client, MarketListingUpdatedDocument, {
      chainId,
      listingId: '50',
      after: changes[1]!.cursor,
    });
    const { error } = await expired.ended;
    const [first] = error as GraphqlError[];
    expect(first?.extensions.code).toBe('CURSOR_EXPIRED');
    expect(first?.extensions.oldestCursor).toBe(oldest?.[0]);
    expect(first?.extensions.projection).toBe('Listing');
    expect(first?.message).toContain(`after ${changes[1]!.cursor}`);

    const kept = subscribeWs(client, MarketListingUpdatedDocument, {
      chainId,
      listingId: '50',
      after: changes[6]!.cursor,
    });
    const updates = await kept.waitFor(1);
    kept.stop();
    await client.dispose();
    expect(updates[0]?.Market_ListingUpdated.cursor).toBe(changes[7]!.cursor);
  });

  it('refuses bad arguments with BAD_USER_INPUT naming the argument', async () => {
    const client = wsClient(t.wsUrl);
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      [
        'subscription ($after: String) { Market_ListingUpdated(chainId: 31337, after: $after) { cursor } }',
        { after: 'yesterday' },
        'after',
        /must be the cursor of an update \("<blockNumber>-<logIndex>", e\.g\. "1204-3"\)\. Got "yesterday"\./,
      ],
      [
        `subscription { Market_OfferUpdated(chainId: 31337, seller: "${alice}") { cursor } }`,
        {},
        'listingId',
        /must be given: Market_OfferUpdated takes every key field \(seller, listingId\) or none\. Got only seller\./,
      ],
      [
        'subscription { Market_ListingUpdated(chainId: 1, listingId: "1") { cursor } }',
        {},
        'chainId',
        /must be a chain where contract Market has the projection Listing/,
      ],
    ];
    for (const [query, variables, argument, message] of cases) {
      // A subscription refused when it starts gets one result with the errors, then completes.
      const subscription = subscribeWs(client, parse(query), variables);
      await subscription.ended;
      const [first] = (subscription.results[0]?.errors ?? []) as unknown as GraphqlError[];
      expect(subscription.results).toHaveLength(1);
      expect(first?.extensions.code, query).toBe('BAD_USER_INPUT');
      expect(first?.extensions.argument).toBe(argument);
      expect(first?.message).toMatch(message);
    }
    await client.dispose();
  });

  it('feeds every projection into entityUpdates (the dashboard feed)', async () => {
    const client = wsClient(t.wsUrl);
    const feed = subscribeWs(client, EntityUpdatesDocument, { chainId });
    await untilListening(t, 1);
    await listings.put(['60'], { seller: alice, price: '1', active: 'true' }, ++block);
    await writer(t, 'Offer', ['seller', 'listingId']).remove([alice, '60'], block, 1);
    const updates = (await feed.waitFor(2)).map((data) => data.entityUpdates);
    feed.stop();
    await client.dispose();
    expect(updates).toEqual([
      {
        chainId,
        contract: '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9',
        contractName: 'Market',
        projection: 'Listing',
        key: '60',
        deleted: false,
        updatedAtBlock: String(block),
        cursor: `${block}-0`,
      },
      {
        chainId,
        contract: '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9',
        contractName: 'Market',
        projection: 'Offer',
        key: `${alice}:60`,
        deleted: true,
        updatedAtBlock: null,
        cursor: `${block}-1`,
      },
    ]);
  });
});

describe('projections applied by the processor', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway();
  });

  afterAll(async () => {
    await t?.stop();
  });

  const statsUpdated = parse(`subscription ($seller: Address, $after: String) {
    Market_SellerStatsUpdated(chainId: 31337, seller: $seller, after: $after) {
      seller deleted cursor entity { listings sales volume }
    }
  }`);
  const stats = `query ($seller: Address!) { Market_SellerStats(chainId: 31337, seller: $seller) { listings sales volume cursor } }`;

  it('serves what the real apply script writes: changes, a reorg reversal and a delete, live and resumed', async () => {
    const client = wsClient(t.wsUrl);
    const listing = subscribeWs(client, MarketListingUpdatedDocument, { chainId, listingId: '1' });
    const seller = subscribeWs(client, statsUpdated, { seller: alice });
    await untilListening(t, 2);

    const emit = (eventName: string, args: Record<string, string>, status?: 'REMOVED', at?: number) =>
      t.fake.emit({
        address: market,
        eventName,
        args,
        status,
        blockNumber: at ?? t.fake.nextBlock(),
        logIndex: 0,
      });
    const listed = await emit('Listed', { listingId: '1', seller: alice, price: '100' });
    const repriced = await emit('PriceChanged', { listingId: '1', newPrice: '150' });
    const soldArgs = { listingId: '1', buyer: bob, seller: alice, price: '150' };
    const sold = await emit('Sold', soldArgs);
    // The sale's block is orphaned: its REMOVED restores the listing and the seller's stats.
    const reverted = await emit('Sold', soldArgs, 'REMOVED', sold.event.blockNumber);
    const cancelled = await emit('Cancelled', { listingId: '1' });

    const updates = (await listing.waitFor(5)).map((data) => data.Market_ListingUpdated);
    expect(cursors(updates)).toEqual([listed, repriced, sold, reverted, cancelled].map((e) => e.cursor));
    expect(updates.map((update) => [update.entity?.price, update.entity?.active, update.deleted])).toEqual([
      ['100', true, false],
      ['150', true, false],
      ['150', false, false],
      ['150', true, false],
      [undefined, undefined, true],
    ]);
    expect(updates[2]?.entity).toMatchObject({
      buyer: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      volume: '150',
    });
    expect(updates[3]?.entity).toMatchObject({ buyer: null, volume: '0', cursor: repriced.cursor });

    const sellerUpdates = (await seller.waitFor(3)).map((data) => data.Market_SellerStatsUpdated);
    expect(sellerUpdates.map((update) => update.entity)).toEqual([
      { listings: '1', sales: '0', volume: '0' },
      { listings: '1', sales: '1', volume: '150' },
      { listings: '1', sales: '0', volume: '0' },
    ]);
    listing.stop();
    seller.stop();

    const { body: deleted } = await postGraphql(t.url, MarketListingDocument, { chainId, listingId: '1' });
    expect(deleted.data?.Market_Listing).toBeNull();
    const { body: current } = await postGraphql(t.url, stats, { seller: alice });
    expect(current.data).toEqual({
      Market_SellerStats: { listings: '1', sales: '0', volume: '0', cursor: listed.cursor },
    });

    // Resuming after the second change replays the rest from the journal the script wrote.
    const resumed = subscribeWs(client, MarketListingUpdatedDocument, {
      chainId,
      listingId: '1',
      after: repriced.cursor,
    });
    const replayed = (await resumed.waitFor(3)).map((data) => data.Market_ListingUpdated);
    await emit('Listed', { listingId: '1', seller: bob, price: '7' });
    const [, , , relisted] = (await resumed.waitFor(4)).map((data) => data.Market_ListingUpdated);
    resumed.stop();
    await client.dispose();
    expect(cursors(replayed)).toEqual([sold, reverted, cancelled].map((e) => e.cursor));
    expect(relisted?.entity).toMatchObject({
      seller: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      price: '7',
    });
    expect(resumed.results).toHaveLength(4);
  });
});

describe('projection update backpressure', () => {
  let t: TestGateway;

  beforeAll(async () => {
    // Note.memo is a String field, so an update can be made large enough to fill socket buffers.
    t = await startTestGateway({
      limits: { subscriptionBuffer: 20 },
      configure: withMarketProjections([
        { name: 'Note', key: 'args.listingId', on: { Listed: { set: { memo: 'listed' } } } },
      ]),
    });
  });

  afterAll(async () => {
    await t?.stop();
  });

  it('closes a client that stops reading with SLOW_CONSUMER and the cursor to resume after; it resumes from there', async () => {
    const notes = writer(t, 'Note', ['listingId']);
    const query =
      'subscription ($after: String) { Market_NoteUpdated(chainId: 31337, after: $after) { cursor entity { memo } } }';
    const raw = await openRawSocket(t.wsUrl);
    raw.send({ id: 'slow', type: 'subscribe', payload: { query } });
    await untilListening(t, 1);
    // The client stops reading: TCP buffers fill, the gateway's writes stall, its buffer grows.
    (raw.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const memo = 'm'.repeat(32_768);
    const written: WrittenChange[] = [];
    for (let i = 0; i < 5_000 && t.gateway.stats().listeners > 0; i++)
      written.push(await notes.put([String(i % 7)], { memo }, 5_000 + i));
    expect(t.gateway.stats().listeners).toBe(0);
    (raw.socket as unknown as { _socket: { resume(): void } })._socket.resume();

    const error = await raw.next((message) => message.type === 'error' && message.id === 'slow', 30_000);
    const [first] = error.payload as GraphqlError[];
    expect(first?.extensions.code).toBe('SLOW_CONSUMER');
    expect(first?.message).toMatch(
      /20 updates were waiting\. Resubscribe with after: the lastCursor in extensions\./,
    );
    const received = raw.messages
      .filter((message) => message.type === 'next')
      .map(
        (message) =>
          (message.payload as { data: { Market_NoteUpdated: { cursor: string } } }).data.Market_NoteUpdated,
      );
    expect(received.length).toBeLessThan(written.length);
    expect(cursors(received as Update[])).toEqual(
      written.slice(0, received.length).map((change) => change.cursor),
    );
    expect(first?.extensions.lastCursor).toBe(received.at(-1)?.cursor);
    raw.socket.close();

    // Resuming after lastCursor delivers exactly what the client did not get, then live changes.
    const client = wsClient(t.wsUrl);
    const resumed = subscribeWs(client, parse(query), { after: first?.extensions.lastCursor });
    const more = await notes.put(['1'], { memo: 'live' }, 20_000);
    const rest = [...written.slice(received.length), more].map((change) => change.cursor);
    const replayed = await resumed.waitFor(rest.length, 60_000);
    resumed.stop();
    await client.dispose();
    expect(replayed.map((data) => data.Market_NoteUpdated.cursor)).toEqual(rest);
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'released');
  });
});
