import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClusterHandle, startRedisCluster } from '../../src/dev-stack/index.ts';
import { keySlot } from '../../src/domain/index.ts';
import { type ChannelHub, createChannelHub, type HubMessage } from '../../src/gateway/pubsub/channelHub.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createRedis, type RedisClient } from '../../src/shared/redis.ts';
import { randomId } from '../support/random.ts';
import { waitUntil } from './support/clients.ts';

// Resharding moves a slot to another master, and Redis drops the slot's shard channels on the old
// one. The gateway's hub must notice (its live subscriptions miss what is published until it
// subscribes again: they are interrupted, so clients resume) and subscribe the channels again on the
// slot's new master.

describe('sharded pub/sub when a slot moves to another master', () => {
  let cluster: RedisClusterHandle;
  let subscriber: RedisClient;
  let publisher: RedisClient;
  let hub: ChannelHub;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
    const url = `redis://${cluster.startupNodes[0]}`;
    subscriber = createRedis({ url, cluster: cluster.startupNodes, shardedSubscribers: true });
    publisher = createRedis({ url, cluster: cluster.startupNodes });
    for (const client of [subscriber, publisher]) client.on('error', () => undefined);
    hub = createChannelHub({ subscriber, logger: createLogger('shardedResharding.test'), pubsub: 'sharded' });
  }, 60_000);

  afterAll(async () => {
    await hub?.close();
    publisher?.disconnect();
    await cluster?.stop();
  });

  it('interrupts the live subscriptions and subscribes the moved channel again on its new master', async () => {
    const channel = `${randomId('hub')}:{moved}`;
    const messages: HubMessage[] = [];
    let interruptions = 0;
    hub.onInterrupted(() => {
      interruptions += 1;
    });
    const release = await hub.listen([channel], (message) => messages.push(message));
    await publisher.spublish(channel, '{"n":0}');
    await waitUntil(() => messages.length === 1, 10_000, 'the first message');

    const slot = keySlot(channel);
    const from = await cluster.masterOf(slot);
    const to = cluster.nodes.find((node) => node.port !== from.port)!;
    await cluster.moveSlot(slot, to);
    expect((await cluster.masterOf(slot)).port).toBe(to.port);
    await waitUntil(() => interruptions > 0, 10_000, 'the interruption');
    expect(interruptions).toBe(1);

    // Published again until one arrives: the hub subscribes on the new master shortly after.
    let n = 0;
    await waitUntil(
      async () => {
        n += 1;
        await publisher.spublish(channel, JSON.stringify({ n }));
        return messages.length > 1;
      },
      10_000,
      'a message published to the slot on its new master',
    );
    expect((messages.at(-1)!.payload as { n: number }).n).toBeGreaterThan(0);
    await release();
  }, 60_000);
});
