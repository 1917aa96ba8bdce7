import { readFileSync } from 'node:fs';
import { readModelLuaPrelude } from '../domain/index.ts';
import type { RedisClient } from '../shared/redis.ts';

const luaDir = new URL('./lua/', import.meta.url);

/** Reads a Lua file of `src/process/lua/`. */
export function readLua(name: string): string {
  return readFileSync(new URL(name, luaDir), 'utf8');
}

const prelude = readModelLuaPrelude();

/**
 * Lua sources of the processor, loaded once per connection (ioredis sends EVALSHA after the first
 * EVAL). The scripts that touch the read model start with its prelude (`RM`: field names and
 * encodings from src/domain/readModel.ts), so they spell no field name themselves.
 */
export const luaSources = {
  apply: `${prelude}\n${readLua('bigint.lua')}\n${readLua('apply.lua')}`,
  chainStatus: `${prelude}\n${readLua('chainStatus.lua')}`,
  epochCas: readLua('rebuildLock.lua'),
  publishPending: `${prelude}\n${readLua('publishPending.lua')}`,
};

/** The custom commands {@link defineProcessScripts} adds to a client or pipeline. */
export type ProcessScripts = {
  /** Takes the number of keys first (a run's tokens-of sets vary); see `buildApplyCall`. */
  bwApply(...numKeysKeysAndArgs: (string | number)[]): Promise<string[]>;
  bwChainStatus(key: string, ...args: (string | number)[]): Promise<number>;
  bwEpochCas(key: string, expected: string, next: string, px: string): Promise<number>;
  /** Keys meta, applied, removed of one contract; see `publishPending.lua`. Returns [published, dropped]. */
  bwPublishPending(...keysAndArgs: (string | number)[]): Promise<[number, number]>;
};

/** Registers the processor's Lua scripts on an ioredis client (idempotent). */
export function defineProcessScripts<R extends RedisClient>(redis: R): R & ProcessScripts {
  const target = redis as R & Partial<ProcessScripts>;
  if (!target.bwApply) {
    redis.defineCommand('bwApply', { lua: luaSources.apply });
    redis.defineCommand('bwChainStatus', { numberOfKeys: 1, lua: luaSources.chainStatus });
    redis.defineCommand('bwEpochCas', { numberOfKeys: 1, lua: luaSources.epochCas });
    redis.defineCommand('bwPublishPending', { numberOfKeys: 3, lua: luaSources.publishPending });
  }
  return redis as R & ProcessScripts;
}
