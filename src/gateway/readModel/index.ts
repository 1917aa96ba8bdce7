import {
  type ChainStatus,
  type ContractProgress,
  chainStatusKey,
  contractKeys,
  decodeChainStatus,
  entityKey,
  metaFields,
  multiBalanceField,
  ownerTokensKey,
  projectionKeys,
  tokenFields,
} from '../../domain/index.ts';
import { execRedisBatch } from '../../shared/execRedisBatch.ts';
import type { RedisClient } from '../../shared/redis.ts';
import type { EntityRecord } from './entityRecord.ts';

/** ERC-20/ERC-721 totals of a contract (decimal strings, 0 when nothing was applied). */
export type TokenInfo = { [K in keyof typeof tokenFields]: string };

/** A contract on a chain. */
export type ContractRef = { chainId: number; address: string };

/** A projection of a contract on a chain. */
export type ProjectionRef = ContractRef & { projection: string };

/** Parameters of {@link ReadModelReader.tokenIdsOf}. */
export type TokenIdsOfParameters = ContractRef & {
  owner: string;
  /** Exclusive lower bound (a token id of a previous page). */
  after: string | null;
  limit: number;
};

/**
 * The gateway's one way to read the processor's Redis read model (field names and encodings from
 * `src/domain/readModel.ts`); resolvers never name a key's fields themselves.
 */
export type ReadModelReader = {
  /** A chain's status, in one HGETALL. */
  chainStatus(chainId: number): Promise<ChainStatus>;
  contractProgress(contract: ContractRef): Promise<ContractProgress>;
  /** Applied events per event name, sorted by name. */
  eventCounts(contract: ContractRef): Promise<{ eventName: string; count: string }[]>;
  tokenInfo(contract: ContractRef): Promise<TokenInfo>;
  /** ERC-20 balance or ERC-721 token count of a holder ('0' when none). */
  balanceOf(contract: ContractRef, holder: string): Promise<string>;
  /** {@link balanceOf} for several contracts in one round trip. */
  balancesOf(contracts: ContractRef[], holder: string): Promise<string[]>;
  /** Owner of an ERC-721 token, null when it does not exist or was burned. */
  ownerOf(contract: ContractRef, tokenId: string): Promise<string | null>;
  /** Token ids an ERC-721 owner holds, in lexicographic order of their decimal form. */
  tokenIdsOf(parameters: TokenIdsOfParameters): Promise<string[]>;
  /** ERC-1155 balances of one holder for several token ids ('0' when none). */
  multiBalancesOf(contract: ContractRef, tokenIds: string[], holder: string): Promise<string[]>;
  /** The hash of one entity by its key string (`entityKeyString`); null when it does not exist. */
  entity(projection: ProjectionRef, key: string): Promise<EntityRecord | null>;
  /** Key strings of the entities of a projection that exist (its index, in Redis' lexical order). */
  entityKeys(projection: ProjectionRef): Promise<string[]>;
  /** The hashes of several entities, pipelined; null for one deleted since its key was read. */
  entities(projection: ProjectionRef, keys: string[]): Promise<(EntityRecord | null)[]>;
};

// Entities read per pipeline round trip when a list query loads a projection.
const entityBatch = 500;

/** Creates the reader over a command connection. */
export function createReadModelReader(redis: RedisClient, keyPrefix: string): ReadModelReader {
  const keysOf = ({ chainId, address }: ContractRef) => contractKeys(keyPrefix, chainId, address);
  const lower = (account: string) => account.toLowerCase();
  const entityKeyOf = ({ chainId, address, projection }: ProjectionRef, key: string) =>
    entityKey(keyPrefix, chainId, address, projection, key);
  // HGETALL answers {} for a missing key: a deleted entity has no hash at all.
  const present = (hash: Record<string, string>): EntityRecord | null =>
    Object.keys(hash).length > 0 ? hash : null;
  return {
    async chainStatus(chainId) {
      return decodeChainStatus(await redis.hgetall(chainStatusKey(keyPrefix, chainId)));
    },
    async contractProgress(contract) {
      const [lastJournalId, appliedCount] = await redis.hmget(
        keysOf(contract).meta,
        metaFields.lastJournalId,
        metaFields.appliedCount,
      );
      return { lastJournalId: lastJournalId ?? null, appliedCount: appliedCount ?? '0' };
    },
    async eventCounts(contract) {
      const counts = await redis.hgetall(keysOf(contract).counts);
      return Object.entries(counts)
        .map(([eventName, count]) => ({ eventName, count }))
        .sort((a, b) => a.eventName.localeCompare(b.eventName));
    },
    async tokenInfo(contract) {
      const names = Object.keys(tokenFields) as (keyof TokenInfo)[];
      const values = await redis.hmget(keysOf(contract).token, ...names.map((name) => tokenFields[name]));
      return Object.fromEntries(names.map((name, index) => [name, values[index] ?? '0'])) as TokenInfo;
    },
    async balanceOf(contract, holder) {
      return (await redis.hget(keysOf(contract).balances, lower(holder))) ?? '0';
    },
    async balancesOf(contracts, holder) {
      if (contracts.length === 0) return [];
      const results = await execRedisBatch(
        redis,
        contracts.map((contract) => {
          const key = keysOf(contract).balances;
          return { key, add: (pipeline) => void pipeline.hget(key, lower(holder)) };
        }),
      );
      return contracts.map((_, index) => {
        const [error, value] = results[index] ?? [null, null];
        if (error) throw error;
        return typeof value === 'string' ? value : '0';
      });
    },
    async ownerOf(contract, tokenId) {
      return redis.hget(keysOf(contract).owners, tokenId);
    },
    async tokenIdsOf({ chainId, address, owner, after, limit }) {
      return redis.zrangebylex(
        ownerTokensKey(keyPrefix, chainId, address, owner),
        after == null ? '-' : `(${after}`,
        '+',
        'LIMIT',
        0,
        limit,
      );
    },
    async multiBalancesOf(contract, tokenIds, holder) {
      if (tokenIds.length === 0) return [];
      const values = await redis.hmget(
        keysOf(contract).multiBalances,
        ...tokenIds.map((tokenId) => multiBalanceField(tokenId, holder)),
      );
      return values.map((value) => value ?? '0');
    },
    async entity(projection, key) {
      return present(await redis.hgetall(entityKeyOf(projection, key)));
    },
    async entityKeys({ chainId, address, projection }) {
      return redis.zrange(projectionKeys(keyPrefix, chainId, address, projection).index, 0, -1);
    },
    async entities(projection, keys) {
      const records: (EntityRecord | null)[] = [];
      for (let offset = 0; offset < keys.length; offset += entityBatch) {
        const pipeline = redis.pipeline();
        for (const key of keys.slice(offset, offset + entityBatch))
          pipeline.hgetall(entityKeyOf(projection, key));
        for (const [error, hash] of (await pipeline.exec()) ?? []) {
          if (error) throw error;
          records.push(present(hash as Record<string, string>));
        }
      }
      return records;
    },
  };
}

const readers = new WeakMap<RedisClient, Map<string, ReadModelReader>>();

/** The reader of a gateway's services (one per connection and key prefix). */
export function readModelOf(services: { redis: RedisClient; keyPrefix: string }): ReadModelReader {
  let byPrefix = readers.get(services.redis);
  if (!byPrefix) {
    byPrefix = new Map();
    readers.set(services.redis, byPrefix);
  }
  let reader = byPrefix.get(services.keyPrefix);
  if (!reader) {
    reader = createReadModelReader(services.redis, services.keyPrefix);
    byPrefix.set(services.keyPrefix, reader);
  }
  return reader;
}
