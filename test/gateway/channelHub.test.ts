import { RedisPubSub } from 'graphql-redis-subscriptions';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChannelHub, createChannelHub, type HubMessage } from '../../src/gateway/pubsub/channelHub.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { waitUntil } from './support/clients.ts';

let publisher: Redis;
let hub: ChannelHub;
const logger = createLogger('channelHub.test');

beforeAll(() => {
  publisher = new Redis(getStack().redisUrl);
  hub = createChannelHub({ subscriber: new Redis(getStack().redisUrl), logger });
});

afterAll(async () => {
  await hub?.close();
  publisher?.disconnect();
});

function collect(): { messages: HubMessage[]; listener: (message: HubMessage) => void } {
  const messages: HubMessage[] = [];
  return { messages, listener: (message) => messages.push(message) };
}

const subscribers = async (channel: string): Promise<number> => {
  const [, count] = (await publisher.pubsub('NUMSUB', channel)) as [string, number];
  return Number(count);
};

// Unhandled rejections end a Node process; collects them while `run` goes on.
async function unhandledDuring(run: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const onUnhandled = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await run();
    // Rejections are reported once the microtask queue is empty: let a few macrotasks pass.
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  return seen;
}

describe('channel hub', () => {
  it('subscribes and unsubscribes through graphql-redis-subscriptions RedisPubSub', async () => {
    const subscribe = vi.spyOn(RedisPubSub.prototype, 'subscribe');
    const unsubscribe = vi.spyOn(RedisPubSub.prototype, 'unsubscribe');
    try {
      const channel = randomId('hub');
      const { messages, listener } = collect();
      const release = await hub.listen([channel], listener);
      expect(subscribe).toHaveBeenCalledWith(channel, expect.any(Function));
      await publisher.publish(channel, '{"n":1}');
      await waitUntil(() => messages.length === 1, 10_000, 'the message');
      expect(messages[0]).toMatchObject({ channel, payload: { n: 1 } });
      await release();
      expect(unsubscribe).toHaveBeenCalledTimes(1);
      expect(await subscribers(channel)).toBe(0);
    } finally {
      subscribe.mockRestore();
      unsubscribe.mockRestore();
    }
  });

  it('lets every listener of a channel resolve only once SUBSCRIBE is acknowledged, also one joining while it is in flight', async () => {
    for (let round = 0; round < 20; round++) {
      const channel = randomId('hub');
      const first = collect();
      const second = collect();
      const joining = hub.listen([channel], first.listener);
      // Joins while the first SUBSCRIBE is in flight; publishes as soon as it resolves.
      const releaseSecond = await hub.listen([channel], second.listener);
      await publisher.publish(channel, `{"round":${round}}`);
      const releaseFirst = await joining;
      const late = collect();
      const releaseLate = await hub.listen([channel], late.listener);
      await publisher.publish(channel, '{"last":true}');
      // (The late listener may get the first message too: it was in flight when it joined.)
      await waitUntil(
        () =>
          first.messages.length === 2 &&
          second.messages.length === 2 &&
          (late.messages.at(-1)?.payload as { last?: boolean } | undefined)?.last === true,
        10_000,
        'every listener to receive',
      );
      expect(second.messages.map((message) => message.payload)).toEqual([{ round }, { last: true }]);
      expect(first.messages.map((message) => message.payload)).toEqual([{ round }, { last: true }]);
      // One parse per message, shared by all listeners.
      expect(first.messages[1]).toBe(second.messages[1]);
      expect(hub.channelCount()).toBeGreaterThanOrEqual(1);
      await Promise.all([releaseFirst(), releaseSecond(), releaseLate()]);
      expect(await subscribers(channel)).toBe(0);
    }
    expect(hub.listenerCount()).toBe(0);
    expect(hub.channelCount()).toBe(0);
  });

  it('ends subscribed after the last listener leaves and a new one joins at once', async () => {
    const channel = randomId('hub');
    const before = collect();
    const release = await hub.listen([channel], before.listener);
    const leaving = release();
    const after = collect();
    const releaseAfter = await hub.listen([channel], after.listener);
    await leaving;
    await publisher.publish(channel, '{"n":2}');
    await waitUntil(() => after.messages.length === 1, 10_000, 'the message after rejoining');
    expect(before.messages).toHaveLength(0);
    expect(await subscribers(channel)).toBe(1);
    await releaseAfter();
    expect(await subscribers(channel)).toBe(0);
  });

  it('keeps delivering to the other listeners when one throws, and drops a message that is not JSON', async () => {
    const channel = randomId('hub');
    const good = collect();
    const releaseBad = await hub.listen([channel], () => {
      throw new Error('listener bug');
    });
    const releaseGood = await hub.listen([channel], good.listener);
    await publisher.publish(channel, 'not json');
    await publisher.publish(channel, '{"ok":true}');
    await waitUntil(() => good.messages.length === 1, 10_000, 'the JSON message');
    expect(good.messages[0]!.payload).toEqual({ ok: true });
    await Promise.all([releaseBad(), releaseGood()]);
  });

  it('rejects listen when SUBSCRIBE fails, without an unhandled rejection, and subscribes to nothing', async () => {
    // A connection that can never reach Redis and does not queue: every command fails at once.
    const unreachable = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    unreachable.on('error', () => undefined);
    const broken = createChannelHub({ subscriber: unreachable, logger });
    const unhandled = await unhandledDuring(async () => {
      await expect(broken.listen([randomId('hub'), randomId('hub')], () => undefined)).rejects.toThrow();
      await expect(broken.listen([randomId('hub')], () => undefined)).rejects.toThrow();
    });
    expect(unhandled).toEqual([]);
    expect(broken.listenerCount()).toBe(0);
    expect(broken.channelCount()).toBe(0);
    await broken.close();
  });
});
