import { readFileSync } from 'node:fs';
import { readModelLuaPrelude } from '../domain/index.ts';
import type { PubSubMode, RedisClient } from '../shared/redis.ts';

const luaDir = new URL('./lua/', import.meta.url);

/** Reads a Lua file of `src/process/lua/`. */
export function readLua(name: string): string {
  return readFileSync(new URL(name, luaDir), 'utf8');
}

const prelude = readModelLuaPrelude();

/**
 * Lua sources of the processor, loaded once per connection (ioredis sends EVALSHA after the first
 * EVAL). The scripts that touch the read model start with its prelude (`RM`: field names and
 * encodings from src/domain/readModel.ts), so they spell no field name themselves, then name the
 * command they publish with (`PUBLISH`, or `SPUBLISH` for sharded pub/sub).
 */
export function processLuaSources(pubsub: PubSubMode = 'classic') {
  const head = `${prelude}\nlocal PUBLISH = '${pubsub === 'sharded' ? 'SPUBLISH' : 'PUBLISH'}'`;
  return {
    apply: `${head}\n${readLua('bigint.lua')}\n${readLua('apply.lua')}`,
    chainStatus: `${head}\n${readLua('chainStatus.lua')}`,
    epochCas: readLua('rebuildLock.lua'),
    publishPending: `${head}\n${readLua('publishPending.lua')}`,
  };
}

/** The sources with classic pub/sub. */
export const luaSources = processLuaSources();

/** The custom commands {@link defineProcessScripts} adds to a client or pipeline. */
export type ProcessScripts = {
  /** Takes the number of keys first (a run's tokens-of sets vary); see `buildApplyCall`. */
  bwApply(...numKeysKeysAndArgs: (string | number)[]): Promise<string[]>;
  bwChainStatus(key: string, ...args: (string | number)[]): Promise<number>;
  bwEpochCas(key: string, expected: string, next: string, px: string): Promise<number>;
  /** Keys meta, applied, removed of one contract; see `publishPending.lua`. Returns [published, dropped]. */
  bwPublishPending(...keysAndArgs: (string | number)[]): Promise<[number, number]>;
};

/**
 * Registers the processor's Lua scripts on an ioredis client (idempotent; the first call's pub/sub
 * mode stays).
 */
export function defineProcessScripts<R extends RedisClient>(
  redis: R,
  pubsub: PubSubMode = 'classic',
): R & ProcessScripts {
  const target = redis as R & Partial<ProcessScripts>;
  if (!target.bwApply) {
    const sources = processLuaSources(pubsub);
    redis.defineCommand('bwApply', { lua: sources.apply });
    redis.defineCommand('bwChainStatus', { numberOfKeys: 1, lua: sources.chainStatus });
    redis.defineCommand('bwEpochCas', { numberOfKeys: 1, lua: sources.epochCas });
    redis.defineCommand('bwPublishPending', { numberOfKeys: 3, lua: sources.publishPending });
  }
  return redis as R & ProcessScripts;
}
