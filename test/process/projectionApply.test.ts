import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent } from './support/events.ts';
import { exampleMarket, type MarketState, simulateMarket } from './support/marketScenario.ts';

// The Market contract of examples/blockwire.yaml and its projections, applied through the real apply
// script. A simulated market (the contract's own rules) produces a history with reorgs; the entities in
// Redis must equal the simulated state of the final chain, however the history is cut into runs.
const chainId = 31337;
const market = exampleMarket;
const address = market.address;
const zero = '0x0000000000000000000000000000000000000000';
const simulate = (seed: number, blocks: number) => {
  const history = simulateMarket({ chainId, address, seed, blocks, reorgEvery: 37 });
  return { ...history, removed: history.records.filter((event) => event.status === 'REMOVED').length };
};

describe('apply script: projections of a custom contract', () => {
  let redis: Redis & ProcessScripts;

  beforeAll(() => {
    redis = defineProcessScripts(new Redis(getStack().redisUrl));
  });
  afterAll(() => redis.disconnect());

  function prepare(events: ChainEvent[]): PreparedEvent[] {
    return events.map((event) => {
      const prepared = prepareApply({ event, abiKind: 'custom', projections: market.projections });
      if (!prepared.ok) throw new Error(prepared.reason);
      return prepared.value;
    });
  }

  async function apply(events: ChainEvent[], keyPrefix: string, runLength: number): Promise<string[]> {
    const settings = { keyPrefix, epoch: 'e1', journalMaxEntries: 1_000_000, reorgWindowBlocks: 64 };
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const prepared = prepare(events);
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
    const { records, state, removed, sellers } = simulate(11, 400);
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
    const { records, sellers } = simulate(5, 60);
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
    const { records } = simulate(3, 120);
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

  it('fails only the event whose entity key holds the wrong type, leaving no trace of it', async () => {
    const keyPrefix = `${randomId('proj-wrongtype')}:`;
    const { records } = simulate(9, 40);
    const confirmed = records.filter((event) => event.status === 'CONFIRMED');
    const listed = confirmed.find((event) => event.eventName === 'Listed')!;
    const listingId = String(listed.args.listingId);
    await redis.set(entityKey(keyPrefix, chainId, address, 'Listing', listingId), 'not a hash');
    const codes = await apply(confirmed, keyPrefix, 200);
    const failed = confirmed.filter(
      (event) => event.eventName !== null && String(event.args.listingId) === listingId,
    );
    expect(codes.filter((code) => code.startsWith('E')).length).toBe(failed.length);
    expect(codes[confirmed.indexOf(listed)]).toMatch(/^EWRONGTYPE/);
    // The seller's stats do not count the failed listing: its event left no trace.
    const seller = String(listed.args.seller);
    const listedBySeller = confirmed.filter(
      (event) => event.eventName === 'Listed' && event.args.seller === seller && event !== listed,
    ).length;
    expect(
      await redis.hget(
        entityKey(keyPrefix, chainId, address, 'SellerStats', entityKeyString([seller])),
        'listings',
      ),
    ).toBe(String(listedBySeller));
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
    });
    expect(prepared).toEqual({
      ok: false,
      reason: 'Projection Listing: set.buyer: args.buyer must be a Address. Got "nobody".',
    });
  });
});
