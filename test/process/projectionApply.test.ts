import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/dev-stack/createSeededRandom.ts';
import {
  type ChainEvent,
  compareCursors,
  entityChannel,
  entityFields,
  entityJournalFields,
  entityKey,
  entityKeyString,
  epochKey,
  projectionKeys,
} from '../../src/domain/index.ts';
import {
  buildApplyCall,
  type PreparedEvent,
  prepareApply,
} from '../../src/process/projection/prepareApply.ts';
import { defineProcessScripts, type ProcessScripts } from '../../src/process/scripts.ts';
import { loadConfig, type ResolvedContract } from '../../src/shared/config/index.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent } from './support/events.ts';

// The Market contract of examples/blockwire.yaml and its projections, applied through the real apply
// script. A simulated market (the contract's own rules) produces a history with reorgs; the entities in
// Redis must equal the simulated state of the final chain, however the history is cut into runs.
const chainId = 31337;
const example = loadConfig(join(import.meta.dirname, '../../examples/blockwire.yaml'), {});
const market = example.chains[0]!.contracts.find(
  (contract) => contract.name === 'Market',
) as ResolvedContract;
const address = market.address;
const zero = '0x0000000000000000000000000000000000000000';
const sellers = Array.from({ length: 6 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, 'a')}`);

type Listing = {
  seller: string;
  price: string;
  active: boolean;
  listedAt: string;
  buyer?: string;
  volume: string;
};
type Stats = { listings: bigint; sales: bigint; volume: bigint };
type MarketState = { next: number; listings: Map<number, Listing>; stats: Map<string, Stats> };
type Block = { number: number; hash: `0x${string}`; events: ChainEvent[]; state: MarketState };

function cloneState(state: MarketState): MarketState {
  return {
    next: state.next,
    listings: new Map([...state.listings].map(([id, listing]) => [id, { ...listing }])),
    stats: new Map([...state.stats].map(([seller, stats]) => [seller, { ...stats }])),
  };
}

/** A market chain with reorgs: the records the processor gets, and the state of the final chain. */
function simulateMarket(seed: number, blockCount: number) {
  const random = createSeededRandom(seed);
  const records: ChainEvent[] = [];
  const chain: Block[] = [];
  let state: MarketState = { next: 1, listings: new Map(), stats: new Map() };
  let forks = 0;
  const stats = (seller: string) => {
    const entry = state.stats.get(seller) ?? { listings: 0n, sales: 0n, volume: 0n };
    state.stats.set(seller, entry);
    return entry;
  };
  const addBlock = () => {
    const number = (chain.at(-1)?.number ?? 99) + 1;
    const hash = `0x${forks.toString(16).padStart(8, '0')}${number.toString(16).padStart(56, '0')}` as const;
    const events: ChainEvent[] = [];
    const emit = (eventName: string, args: Record<string, string>) =>
      events.push(
        makeEvent({
          chainId,
          address,
          blockNumber: number,
          blockHash: hash,
          logIndex: events.length,
          eventName,
          args,
        }),
      );
    for (let n = random.int(0, 3); n > 0; n--) {
      const active = [...state.listings].filter(([, listing]) => listing.active).map(([id]) => id);
      const choice = active.length === 0 ? 0 : random.int(0, 3);
      const id = active[random.int(0, Math.max(active.length - 1, 0))]!;
      if (choice === 0) {
        const seller = sellers[random.int(0, sellers.length - 1)]!;
        const price = String(random.int(1, 1_000) * 1_000_000_000_000);
        const listingId = state.next++;
        state.listings.set(listingId, {
          seller,
          price,
          active: true,
          listedAt: String(1_700_000_000 + number * 2),
          volume: '0',
        });
        stats(seller).listings += 1n;
        emit('Listed', { listingId: String(listingId), seller, price });
      } else if (choice === 1) {
        const newPrice = String(random.int(1, 1_000));
        state.listings.get(id)!.price = newPrice;
        emit('PriceChanged', { listingId: String(id), newPrice });
      } else if (choice === 2) {
        const listing = state.listings.get(id)!;
        const buyer = sellers[random.int(0, sellers.length - 1)]!;
        listing.active = false;
        listing.buyer = buyer;
        listing.volume = String(BigInt(listing.volume) + BigInt(listing.price));
        stats(listing.seller).sales += 1n;
        stats(listing.seller).volume += BigInt(listing.price);
        emit('Sold', { listingId: String(id), buyer, seller: listing.seller, price: listing.price });
      } else {
        state.listings.delete(id);
        emit('Cancelled', { listingId: String(id) });
      }
    }
    chain.push({ number, hash, events, state: cloneState(state) });
    records.push(...events);
  };
  const reorg = (depth: number) => {
    const orphaned = chain.splice(chain.length - depth, depth);
    // The ingestor publishes REMOVED newest first.
    const removed = orphaned.flatMap((block) => block.events).reverse();
    records.push(...removed.map((event): ChainEvent => ({ ...event, status: 'REMOVED' })));
    state = cloneState(chain.at(-1)?.state ?? { next: 1, listings: new Map(), stats: new Map() });
    forks++;
  };
  for (let b = 0; b < blockCount; b++) {
    addBlock();
    if (b % 37 === 36) reorg(random.int(1, 8));
  }
  return { records, state, removed: records.filter((event) => event.status === 'REMOVED').length };
}

describe('apply script: projections of a custom contract', () => {
  let redis: Redis & ProcessScripts;

  beforeAll(() => {
    redis = defineProcessScripts(new Redis(getStack().redisUrl));
  });
  afterAll(() => redis.disconnect());

  function prepare(events: ChainEvent[], keyPrefix: string): PreparedEvent[] {
    return events.map((event) => {
      const prepared = prepareApply({ event, abiKind: 'custom', projections: market.projections, keyPrefix });
      if (!prepared.ok) throw new Error(prepared.reason);
      return prepared.value;
    });
  }

  async function apply(events: ChainEvent[], keyPrefix: string, runLength: number): Promise<string[]> {
    const settings = { keyPrefix, epoch: 'e1', journalMaxEntries: 1_000_000, reorgWindowBlocks: 64 };
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const prepared = prepare(events, keyPrefix);
    const codes: string[] = [];
    for (let i = 0; i < prepared.length; i += runLength) {
      const result = await redis.bwApply(...buildApplyCall(prepared.slice(i, i + runLength), settings));
      for (let k = 0; k < result.length; k += 2)
        codes.push(`${result[k]}${result[k] === 'E' ? result[k + 1] : ''}`);
    }
    return codes;
  }

  /** Every entity of both projections in Redis, by key, without the bookkeeping fields. */
  async function entities(keyPrefix: string) {
    const read = async (projection: string) => {
      const keys = await redis.zrange(projectionKeys(keyPrefix, chainId, address, projection).index, 0, -1);
      const out: Record<string, Record<string, string>> = {};
      for (const key of keys) {
        const {
          [entityFields.updatedAtBlock]: _b,
          [entityFields.cursor]: _c,
          ...fields
        } = await redis.hgetall(entityKey(keyPrefix, chainId, address, projection, key));
        out[key] = fields;
      }
      return out;
    };
    return { listings: await read('Listing'), stats: await read('SellerStats') };
  }

  function expected(state: MarketState) {
    const listings: Record<string, Record<string, string>> = {};
    for (const [id, listing] of state.listings) {
      listings[String(id)] = {
        listingId: String(id),
        seller: listing.seller,
        price: listing.price,
        active: String(listing.active),
        listedAt: listing.listedAt,
        ...(listing.buyer ? { buyer: listing.buyer } : {}),
        ...(listing.volume !== '0' || listing.buyer ? { volume: listing.volume } : {}),
      };
    }
    const stats: Record<string, Record<string, string>> = {};
    for (const [seller, entry] of state.stats) {
      stats[entityKeyString([seller])] = {
        seller,
        listings: String(entry.listings),
        ...(entry.sales > 0n ? { sales: String(entry.sales), volume: String(entry.volume) } : {}),
      };
    }
    return { listings, stats };
  }

  it('keeps entities equal to the final chain through reorgs and redeliveries, in runs of any length', async () => {
    const { records, state, removed } = simulateMarket(11, 400);
    expect(removed).toBeGreaterThan(20);
    expect(
      records.filter((event) => event.status === 'REMOVED' && event.eventName === 'Cancelled').length,
    ).toBeGreaterThan(0);
    expect(
      records.filter((event) => event.status === 'REMOVED' && event.eventName === 'Sold').length,
    ).toBeGreaterThan(0);
    const withRedeliveries = [...records.slice(0, 300), ...records.slice(150, 320), ...records.slice(300)];
    for (const runLength of [1, 7, 200]) {
      const keyPrefix = `${randomId(`proj-${runLength}`)}:`;
      const codes = await apply(withRedeliveries, keyPrefix, runLength);
      expect(codes.filter((code) => code.startsWith('E'))).toEqual([]);
      expect(codes.filter((code) => code === 'D').length).toBe(170);
      expect(await entities(keyPrefix), `runs of ${runLength}`).toEqual(expected(state));
      // Sellers that listed something exist; a listing id never listed does not.
      expect(sellers.filter((seller) => state.stats.has(seller)).length).toBeGreaterThan(2);
    }
  });

  it('REMOVED brings back exactly the entities as they were, deleted and overwritten ones included', async () => {
    const keyPrefix = `${randomId('proj-undo')}:`;
    const { records } = simulateMarket(5, 60);
    const prefix = records.filter((event) => event.status === 'CONFIRMED').slice(0, 80);
    await apply(prefix, keyPrefix, 50);
    const dump = async () => {
      const out: Record<string, unknown> = {};
      for (const key of (await redis.keys(`${keyPrefix}*:p:*`)).sort()) {
        const type = await redis.type(key);
        if (type === 'hash') out[key] = await redis.hgetall(key);
        else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1);
      }
      return out;
    };
    const before = await dump();
    // Later blocks that overwrite, sell and delete the listings of the prefix, then their REMOVED.
    const block = prefix.at(-1)!.blockNumber + 1;
    const hash = `0x${'f'.repeat(8)}${block.toString(16).padStart(56, '0')}` as const;
    const later = [...Object.keys((await entities(keyPrefix)).listings)].slice(0, 6).flatMap((id, i) => {
      const event = (logIndex: number, eventName: string, args: Record<string, string>) =>
        makeEvent({ chainId, address, blockNumber: block + i, blockHash: hash, logIndex, eventName, args });
      return [
        event(i * 3, 'PriceChanged', { listingId: id, newPrice: '7' }),
        event(i * 3 + 1, 'Sold', { listingId: id, buyer: sellers[0]!, seller: sellers[1]!, price: '7' }),
        event(i * 3 + 2, i % 2 ? 'Cancelled' : 'PriceChanged', { listingId: id, newPrice: '9' }),
      ];
    });
    expect(await apply(later, keyPrefix, 200)).toEqual(later.map(() => 'A'));
    expect(await dump()).not.toEqual(before);
    const reversed = later.map((event): ChainEvent => ({ ...event, status: 'REMOVED' })).reverse();
    expect(await apply(reversed, keyPrefix, 5)).toEqual(reversed.map(() => 'A'));
    expect(await dump()).toEqual(before);
    // A second delivery of the REMOVED events changes nothing.
    expect(await apply(reversed, keyPrefix, 200)).toEqual(reversed.map(() => 'D'));
    expect(await dump()).toEqual(before);
  });

  it('journals and publishes each change with the cursor of its event; the journal folds to the entity', async () => {
    const keyPrefix = `${randomId('proj-journal')}:`;
    const { records } = simulateMarket(3, 120);
    const subscriber = new Redis(getStack().redisUrl);
    const messages: { key: string; entity: Record<string, string> | null; cursor: string }[] = [];
    subscriber.on('message', (_channel, raw) => messages.push(JSON.parse(raw)));
    await subscriber.subscribe(entityChannel(keyPrefix, chainId, address, 'Listing'));
    try {
      await apply(records, keyPrefix, 30);
      const journal = await redis.xrange(
        projectionKeys(keyPrefix, chainId, address, 'Listing').journal,
        '-',
        '+',
      );
      const folded = new Map<string, Record<string, string> | null>();
      for (const [, fields] of journal) {
        const key = fields[fields.indexOf(entityJournalFields.key) + 1]!;
        folded.set(key, JSON.parse(fields[fields.indexOf(entityJournalFields.entity) + 1]!));
      }
      for (const [key, entity] of folded) {
        const stored = await redis.hgetall(entityKey(keyPrefix, chainId, address, 'Listing', key));
        expect(entity ?? {}, `listing ${key}`).toEqual(stored);
      }
      await expect.poll(() => messages.length).toBe(journal.length);
      expect(messages.map((message) => message.cursor)).toEqual(journal.map(([id]) => id));
      // A change carries its event's cursor; a reversal brings back the entity with the cursor of the
      // event that had made it, which is older than the REMOVED event's.
      const live = messages.filter((message) => message.entity);
      const own = live.filter((message) => message.entity![entityFields.cursor] === message.cursor);
      expect(own.length).toBeGreaterThan(live.length / 2);
      expect(
        live.every((message) => compareCursors(message.entity![entityFields.cursor]!, message.cursor) <= 0),
      ).toBe(true);
      expect(messages.some((message) => message.entity === null)).toBe(true);
    } finally {
      subscriber.disconnect();
    }
  });

  it('sends an event whose args do not fit its projection to the dead-letter path with the reason', () => {
    const event = makeEvent({
      chainId,
      address,
      blockNumber: 5,
      blockHash: `0x${'1'.repeat(64)}`,
      logIndex: 0,
      eventName: 'Sold',
      args: { listingId: '1', buyer: 'nobody', seller: zero, price: '5' },
    });
    const prepared = prepareApply({
      event,
      abiKind: 'custom',
      projections: market.projections,
      keyPrefix: 'x:',
    });
    expect(prepared).toEqual({
      ok: false,
      reason: 'Projection Listing: set.buyer: args.buyer must be a Address. Got "nobody".',
    });
  });
});
