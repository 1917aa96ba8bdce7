import { existsSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isPortOpen,
  type RedisClusterHandle,
  type RedisClusterNode,
  startRedisCluster,
  waitFor,
} from '../../src/dev-stack/index.ts';
import { randomId } from '../support/random.ts';

// A Redis Cluster of three masters with a replica each, started by the dev stack for this file alone.
// The master of one key's slot is SIGKILLed: its replica takes the slot over with every write it had
// acknowledged, and the killed node, started again on its nodes.conf, rejoins as a replica.

/** Runs `query` on a connection of its own to one node (not through the cluster client). */
async function onNode<T>(node: RedisClusterNode, query: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ host: '127.0.0.1', port: node.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await query(redis);
  } finally {
    redis.disconnect();
  }
}

describe('local Redis Cluster', () => {
  const prefix = randomId('redis-cluster');
  const keys = Array.from({ length: 200 }, (_, index) => `${prefix}:${index}`);
  let cluster: RedisClusterHandle;
  let client: Cluster;
  let killed: RedisClusterNode;
  let promoted: RedisClusterNode;
  let slot: number;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1 });
    client = new Cluster(
      cluster.startupNodes.map((address) => {
        const [host, port] = address.split(':');
        return { host, port: Number(port) };
      }),
    );
    client.on('error', () => {});
    client.on('node error', () => {});
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('shards keys written through a cluster client over every master and reads them back', async () => {
    await Promise.all(keys.map((key) => client.set(key, `v1:${key}`)));
    expect(await Promise.all(keys.map((key) => client.get(key)))).toEqual(keys.map((key) => `v1:${key}`));
    const masters: RedisClusterNode[] = [];
    for (const node of cluster.nodes) if ((await node.role()) === 'master') masters.push(node);
    expect(masters).toHaveLength(3);
    const sizes = await Promise.all(masters.map((node) => onNode(node, (redis) => redis.dbsize())));
    expect(sizes.every((size) => size > 0)).toBe(true);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(keys.length);
  });

  it('serves a slot from the promoted replica, with every replicated write, once its master is SIGKILLed', async () => {
    const key = keys[0]!;
    slot = Number(await client.cluster('KEYSLOT', key));
    killed = await cluster.masterOf(slot);
    const replicas = await Promise.all(
      cluster.nodes.map(async (node) => {
        const role = (await onNode(node, (redis) => redis.role())) as unknown[];
        return role[0] === 'slave' && Number(role[2]) === killed.port ? node : undefined;
      }),
    );
    promoted = replicas.find(Boolean)!;
    expect(promoted).toBeDefined();
    // Replication is asynchronous: only writes the replica has acknowledged survive the failover.
    await waitFor(
      async () => {
        const [, offset, linked] = (await onNode(killed, (redis) => redis.role())) as [
          string,
          number,
          [string, string, string][],
        ];
        return linked.length > 0 && linked.every(([, , acked]) => Number(acked) >= offset);
      },
      { description: `the replica of ${killed.address} to acknowledge every write`, timeoutMs: 10_000 },
    );

    await killed.kill();
    expect(killed.running()).toBe(false);
    await waitFor(async () => (await cluster.masterOf(slot)) === promoted, {
      description: `slot ${slot} to move from ${killed.address} to ${promoted.address}`,
      timeoutMs: 20_000,
    });
    await cluster.waitForClusterOk(20_000);
    expect(await promoted.role()).toBe('master');

    expect(await Promise.all(keys.map((item) => client.get(item)))).toEqual(keys.map((item) => `v1:${item}`));
    await client.set(key, 'v2');
    expect(await client.get(key)).toBe('v2');
  }, 40_000);

  it('takes the killed master back as a replica when it is started again', async () => {
    await killed.restart();
    expect(killed.running()).toBe(true);
    await waitFor(async () => (await killed.role()) === 'replica', {
      description: `${killed.address} to rejoin as a replica`,
      timeoutMs: 20_000,
    });
    await cluster.waitForClusterOk(20_000);
    expect(await cluster.masterOf(slot)).toBe(promoted);
    expect(await client.get(keys[0]!)).toBe('v2');
    // The rejoined node holds the slot's data again, synced from its new master.
    expect(await onNode(killed, (redis) => redis.dbsize())).toBe(
      await onNode(promoted, (redis) => redis.dbsize()),
    );
  }, 40_000);

  it('stops every node and removes its folder', async () => {
    client.disconnect();
    await cluster.stop();
    for (const node of cluster.nodes) {
      expect(node.running()).toBe(false);
      expect(await isPortOpen(node.port)).toBe(false);
    }
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
