import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';

describe('local Redis', () => {
  const prefix = randomId();
  const redis = new Redis(getStack().redisUrl, { lazyConnect: false });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('stores and reads hashes and streams', async () => {
    await redis.hset(`${prefix}:h`, {
      a: '1',
      b: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
    });
    expect(await redis.hgetall(`${prefix}:h`)).toEqual({
      a: '1',
      b: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
    });
    await redis.xadd(`${prefix}:s`, '5-1', 'event', 'x');
    const entries = await redis.xrange(`${prefix}:s`, '-', '+');
    expect(entries).toEqual([['5-1', ['event', 'x']]]);
  });

  it('runs a Lua script atomically with EVAL and EVALSHA', async () => {
    // Increments a counter only when the id is above the stored high-water mark (dedup pattern).
    const script = `
      local mark = tonumber(redis.call('GET', KEYS[1]) or '0')
      local id = tonumber(ARGV[1])
      if id <= mark then return 0 end
      redis.call('SET', KEYS[1], id)
      return redis.call('INCR', KEYS[2])
    `;
    const keys = [`${prefix}:mark`, `${prefix}:count`];
    expect(await redis.eval(script, 2, ...keys, '1')).toBe(1);
    const sha = (await redis.script('LOAD', script)) as string;
    expect(await redis.evalsha(sha, 2, ...keys, '1')).toBe(0);
    expect(await redis.evalsha(sha, 2, ...keys, '2')).toBe(2);
    expect(await redis.get(`${prefix}:count`)).toBe('2');
  });
});
