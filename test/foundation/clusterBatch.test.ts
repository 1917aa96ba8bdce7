import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClusterHandle, startRedisCluster } from '../../src/dev-stack/index.ts';
import { keySlot } from '../../src/domain/index.ts';
import { execRedisBatch, type RedisBatchCommand } from '../../src/shared/execRedisBatch.ts';
import { createRedis, type RedisClient } from '../../src/shared/redis.ts';
import { randomId } from '../support/random.ts';

// A batch is sent as one pipeline per master, grouped by the client's slot map. When a slot moves
// to another master, a pipeline holding commands of the moved slot and of a slot that stayed gets
// MOVED for the first and OK for the second; ioredis follows a redirection only when every command
// of a pipeline got it, so the batch fails, and it must not fail again on every retry.

describe('batches on a Redis Cluster when a slot moves to another master', () => {
  let cluster: RedisClusterHandle;
  let redis: RedisClient;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    redis = createRedis({ url: `redis://${cluster.startupNodes[0]}`, cluster: cluster.startupNodes });
    redis.on('error', () => undefined);
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('succeeds on a retry when one slot of a pipeline moved and another stayed', {
    timeout: 60_000,
  }, async () => {
    const prefix = randomId('batch');
    // Two keys of different slots on the same master.
    const first = `${prefix}:{a}`;
    const from = await cluster.masterOf(keySlot(first));
    let second: string | undefined;
    for (let i = 0; !second; i++) {
      const key = `${prefix}:{b${i}}`;
      if (keySlot(key) !== keySlot(first) && (await cluster.masterOf(keySlot(key))).port === from.port)
        second = key;
    }
    const batch = (value: string): RedisBatchCommand[] =>
      [first, second].map((key) => ({ key: key!, add: (pipeline) => pipeline.set(key!, value) }));
    const failures = (results: [Error | null, unknown][]) => results.filter(([error]) => error);

    expect(failures(await execRedisBatch(redis, batch('v1')))).toEqual([]);
    const to = cluster.nodes.find((node) => node.port !== from.port)!;
    await cluster.moveSlot(keySlot(first), to);

    // The first attempt may meet the old slot map; a retry (as the processor makes them, after a
    // short wait) must not.
    const attempts: string[][] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const failed = failures(await execRedisBatch(redis, batch('v2')));
      attempts.push(failed.map(([error]) => error!.message));
      if (failed.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect(attempts.length, JSON.stringify(attempts)).toBeLessThanOrEqual(2);
    expect(attempts.at(-1)).toEqual([]);
    expect(await Promise.all([redis.get(first), redis.get(second!)])).toEqual(['v2', 'v2']);
  });
});
