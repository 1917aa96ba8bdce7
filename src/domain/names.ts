import { slotTag } from './keySlot.ts';

/**
 * Every Kafka topic, Kafka key, Redis key and pub/sub channel name is built here and nowhere else.
 * All Redis keys of one contract share the hash tag `{<chainId>:<address>}` so one Lua script can
 * touch them on Redis Cluster.
 */

/** Kafka topic names under a prefix. */
export type TopicNames = {
  confirmed: string;
  pending: string;
  checkpoints: string;
  dlq: string;
  /** Compacted: the contracts factories created, one record per child (a tombstone once reorged out). */
  children: string;
};

/** Kafka topics of a deployment. */
export function topicNames(prefix: string): TopicNames {
  return {
    confirmed: `${prefix}.events.confirmed`,
    pending: `${prefix}.events.pending`,
    checkpoints: `${prefix}.checkpoints`,
    dlq: `${prefix}.events.dlq`,
    children: `${prefix}.children`,
  };
}

/** Kafka message key of a factory-created contract on the compacted children topic. */
export function childKey(chainId: number, address: string): string {
  return contractKey(chainId, address);
}

/** `<chainId>:<address lower-case>`: how a contract is named in lookups, resume tokens and Kafka keys. */
export function contractKey(chainId: number, address: string): string {
  return `${chainId}:${address.toLowerCase()}`;
}

/** Kafka message key of a contract's events: all of them land in one partition, in chain order. */
export function eventKey(chainId: number, address: string): string {
  return contractKey(chainId, address);
}

/** Kafka message key of a chain's checkpoint record (compacted topic). */
export function checkpointKey(chainId: number): string {
  return `${chainId}`;
}

/** Kafka transactional id of a chain's ingestor; a second ingestor with the same id fences the first. */
export function ingestTransactionalId(prefix: string, chainId: number): string {
  return `${prefix}.ingest.${chainId}`;
}

/** Hash tag shared by all Redis keys of one contract. */
export function contractTag(chainId: number, address: string): string {
  return `{${chainId}:${address.toLowerCase()}}`;
}

/** Redis keys of one contract. */
export type ContractKeys = {
  /** Hash: high-water mark, last journal id, applied/removed bookkeeping. */
  meta: string;
  /** Hash: event id → JSON of the effect applied (kept within the reorg window) for REMOVED reversal. */
  applied: string;
  /** Sorted set: applied event ids scored by block number, to trim the reorg window. */
  appliedIndex: string;
  /** Set: ids reversed by REMOVED; a later duplicate CONFIRMED of one of them is dropped. */
  removed: string;
  /** Stream: the per-contract journal. */
  journal: string;
  /** Hash: event name → count. */
  counts: string;
  /** Hash: ERC-20 token info (totalSupply, holders, transfers). */
  token: string;
  /** Hash: holder → balance (ERC-20) or owner → token count (ERC-721). */
  balances: string;
  /** Hash: ERC-721 tokenId → owner. */
  owners: string;
  /** Hash: ERC-1155 `<id>:<holder>` → balance. */
  multiBalances: string;
};

/** Redis keys of a contract under a key prefix. */
export function contractKeys(keyPrefix: string, chainId: number, address: string): ContractKeys {
  const base = `${keyPrefix}c:${contractTag(chainId, address)}`;
  return {
    meta: `${base}:meta`,
    applied: `${base}:applied`,
    appliedIndex: `${base}:applied-index`,
    removed: `${base}:removed`,
    journal: `${base}:journal`,
    counts: `${base}:counts`,
    token: `${base}:token`,
    balances: `${base}:balances`,
    owners: `${base}:owners`,
    multiBalances: `${base}:multi-balances`,
  };
}

/** Redis sorted set of the ERC-721 token ids one owner holds in one contract (same hash tag). */
export function ownerTokensKey(keyPrefix: string, chainId: number, address: string, owner: string): string {
  return `${keyPrefix}c:${contractTag(chainId, address)}:tokens-of:${owner.toLowerCase()}`;
}

/** Redis hash of a chain's pipeline status (head, confirmed block, processed cursor). */
export function chainStatusKey(keyPrefix: string, chainId: number): string {
  return `${keyPrefix}chain:{${chainId}}:status`;
}

/** Redis key of the rebuild epoch marker; missing means Redis lost its state. */
export function epochKey(keyPrefix: string): string {
  return `${keyPrefix}epoch`;
}

/**
 * Redis Cluster: the copy of the epoch marker in one hash slot. Every slot holds one (written with
 * each new epoch), so an apply script reads the epoch from the slot of the contract it writes, and a
 * master that lost its data is seen by its missing copies.
 */
export function slotEpochKey(keyPrefix: string, slot: number): string {
  return `${keyPrefix}epoch:{${slotTag(slot)}}`;
}

/** Redis key of the lock that elects the active ingestor of a chain. */
export function ingestLockKey(keyPrefix: string, chainId: number): string {
  return `${keyPrefix}lock:ingest:{${chainId}}`;
}

/*
 * Pub/sub channels carry the hash tag of what their publisher writes (the contract's, or the chain's
 * for heads), so a script may publish on them with SPUBLISH on Redis Cluster: a sharded channel must
 * live in the slot of the script's keys. Classic pub/sub ignores the tag.
 */

/** Pub/sub channel carrying every event (all statuses) of one contract. */
export function contractChannel(keyPrefix: string, chainId: number, address: string): string {
  return `${keyPrefix}ch:contract:${contractTag(chainId, address)}`;
}

/**
 * Pub/sub channel carrying the events of one contract that involve one account (from/to/operator,
 * owner/spender/account). Per contract, so its contract's apply script can publish on it; an
 * account's subscription listens on the channel of each contract of the chain.
 */
export function accountChannel(keyPrefix: string, chainId: number, address: string, account: string): string {
  return `${accountChannelPrefix(keyPrefix, chainId, address)}${account.toLowerCase()}`;
}

/**
 * What the account channels of one contract start with: an account's channel is this followed by the
 * lower-case account ({@link accountChannel}). The apply script joins them itself.
 */
export function accountChannelPrefix(keyPrefix: string, chainId: number, address: string): string {
  return `${keyPrefix}ch:account:${contractTag(chainId, address)}:`;
}

/** Pub/sub channel carrying new confirmed heads of one chain (tagged like its status key). */
export function headsChannel(keyPrefix: string, chainId: number): string {
  return `${keyPrefix}ch:heads:{${chainId}}`;
}

/** Pub/sub channel carrying pending (unconfirmed) events and their retractions of one contract. */
export function pendingChannel(keyPrefix: string, chainId: number, address: string): string {
  return `${keyPrefix}ch:pending:${contractTag(chainId, address)}`;
}

/**
 * Redis counter of one gateway client's operations in its current rate-limit window, shared by every
 * gateway. `client` is `sub:<jwt subject>` or `ip:<address>`.
 */
export function rateLimitKey(keyPrefix: string, client: string): string {
  return `${keyPrefix}rl:${client}`;
}

/**
 * Key string of one entity of a projection: its key values (canonical: decimal integers, lower-case
 * addresses and hex) each URI-encoded and joined with `:`, so a composite key stays unambiguous.
 */
export function entityKeyString(values: readonly string[]): string {
  return values.map((value) => encodeURIComponent(value)).join(':');
}

/** The key values of an entity key string (inverse of {@link entityKeyString}). */
export function parseEntityKeyString(key: string): string[] {
  return key.split(':').map((part) => decodeURIComponent(part));
}

/** Redis keys of one projection of a contract (same hash tag as the contract's other keys). */
export type ProjectionKeys = {
  /** Sorted set (all scores 0): key strings of the entities that exist. */
  index: string;
  /** Stream: one entry per change of an entity (id: the cursor of the event that made it). */
  journal: string;
};

/** Redis keys of a projection's index and journal. */
export function projectionKeys(
  keyPrefix: string,
  chainId: number,
  address: string,
  projection: string,
): ProjectionKeys {
  const base = `${keyPrefix}c:${contractTag(chainId, address)}:p:${projection}`;
  return { index: `${base}:index`, journal: `${base}:journal` };
}

/** Redis hash of one entity of a projection (fields: see `entityFields` in readModel.ts). */
export function entityKey(
  keyPrefix: string,
  chainId: number,
  address: string,
  projection: string,
  key: string,
): string {
  return `${keyPrefix}c:${contractTag(chainId, address)}:p:${projection}:e:${key}`;
}

/** Pub/sub channel carrying every change of the entities of one projection of a contract. */
export function entityChannel(
  keyPrefix: string,
  chainId: number,
  address: string,
  projection: string,
): string {
  return `${keyPrefix}ch:entity:${contractTag(chainId, address)}:${projection}`;
}
