/**
 * The Market's read model in Redis as one comparable value: every entity of its projections, their
 * index and journal, and the contract's journal and event counts (key layout from src/domain).
 */
import type { Redis } from 'ioredis';
import {
  contractKeys,
  decodeEvent,
  entityJournalFields,
  entityKey,
  journalEntryEvent,
  projectionKeys,
} from '../../../src/domain/index.ts';

/** One projection entity journal entry: the cursor of the change, the entity key and the entity after it. */
export type EntityJournalEntry = { cursor: string; key: string; entity: Record<string, string> | null };

/** The Market's read model. */
export type MarketRedisState = {
  projections: Record<
    string,
    {
      index: string[];
      entities: Record<string, Record<string, string>>;
      /** Entity hashes that exist without being in the index (should be none). */
      unindexed: string[];
      journal: EntityJournalEntry[];
    }
  >;
  /** `<cursor> <event id> <status>` of each contract journal entry. */
  journal: string[];
  counts: Record<string, string>;
};

/** Parameters of {@link readMarketRedis}. */
export type ReadMarketRedisParameters = {
  redis: Redis;
  keyPrefix: string;
  chainId: number;
  address: string;
  projections: string[];
};

/** Reads the Market's read model. */
export async function readMarketRedis({
  redis,
  keyPrefix,
  chainId,
  address,
  projections,
}: ReadMarketRedisParameters): Promise<MarketRedisState> {
  const state: MarketRedisState = { projections: {}, journal: [], counts: {} };
  for (const projection of projections) {
    const keys = projectionKeys(keyPrefix, chainId, address, projection);
    const index = (await redis.zrange(keys.index, 0, -1)).sort();
    const entities: Record<string, Record<string, string>> = {};
    for (const key of index)
      entities[key] = sorted(await redis.hgetall(entityKey(keyPrefix, chainId, address, projection, key)));
    const pattern = entityKey(keyPrefix, chainId, address, projection, '*').replace(/[[\]?{}]/g, '\\$&');
    const unindexed: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern.replace(/\\\*$/, '*'), 'COUNT', 1000);
      cursor = next;
      for (const key of found) {
        const entity = key.slice(key.lastIndexOf(':e:') + 3);
        if (!(entity in entities)) unindexed.push(entity);
      }
    } while (cursor !== '0');
    const journal = (await redis.xrange(keys.journal, '-', '+')).map(([id, fields]) => ({
      cursor: id,
      key: field(fields, entityJournalFields.key) ?? '',
      entity: parseEntity(field(fields, entityJournalFields.entity)),
    }));
    state.projections[projection] = { index, entities, unindexed: unindexed.sort(), journal };
  }
  const keys = contractKeys(keyPrefix, chainId, address);
  state.journal = (await redis.xrange(keys.journal, '-', '+')).map(([id, fields]) => {
    const decoded = decodeEvent(journalEntryEvent(fields));
    return decoded.ok ? `${id} ${decoded.value.id} ${decoded.value.status}` : `${id} undecodable`;
  });
  state.counts = sorted(await redis.hgetall(keys.counts));
  return state;
}

function field(fields: string[], name: string): string | undefined {
  for (let index = 0; index < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}

/** An entity JSON of the journal with its fields sorted (the processor writes them in any order). */
function parseEntity(json: string | undefined): Record<string, string> | null {
  const entity = json === undefined ? null : (JSON.parse(json) as Record<string, string> | null);
  return entity && sorted(entity);
}

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
