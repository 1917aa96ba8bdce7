import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { readModelForLua, readModelLuaPrelude } from '../../src/domain/index.ts';
import { luaSources } from '../../src/process/scripts.ts';
import { getStack } from '../support/stack.ts';

const luaDir = new URL('../../src/process/lua/', import.meta.url);

/** Every string of the read model (field names, separators, message pieces). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value as Record<string, unknown>).flatMap(strings);
}

describe('read model in the Lua scripts', () => {
  const redis = new Redis(getStack().redisUrl);
  afterAll(() => redis.disconnect());

  it('gives the scripts exactly the field names and encodings of src/domain/readModel.ts', async () => {
    const json = (await redis.eval(`${readModelLuaPrelude()}\nreturn cjson.encode(RM)`, 0)) as string;
    expect(JSON.parse(json)).toEqual(readModelForLua());
  });

  it('prepends the prelude to every script that touches the read model', () => {
    expect(luaSources.apply.startsWith(readModelLuaPrelude())).toBe(true);
    expect(luaSources.chainStatus.startsWith(readModelLuaPrelude())).toBe(true);
  });

  it('leaves no field name or encoding of the read model spelled out in a Lua file', () => {
    const literals = strings(readModelForLua()).flatMap((value) => [`'${value}'`, `"${value}"`]);
    const files = readdirSync(luaDir).filter((name) => name.endsWith('.lua'));
    expect(files.length).toBeGreaterThan(2);
    const found = files.flatMap((name) => {
      const source = readFileSync(new URL(name, luaDir), 'utf8');
      return literals.filter((literal) => source.includes(literal)).map((literal) => `${name}: ${literal}`);
    });
    expect(found).toEqual([]);
  });
});
