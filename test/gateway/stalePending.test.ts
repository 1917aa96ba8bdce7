import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChainEvent,
  type EventChannelMessage,
  eventId,
  pendingChannel,
} from '../../src/domain/index.ts';
import { EventsDocument } from './generated/graphql.ts';
import { subscribeSse, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';

const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterEach(async () => {
  await waitUntil(
    () => t.gateway.stats().listeners === 0 && t.gateway.stats().redisChannels === 0,
    10_000,
    'released',
  );
});

afterAll(async () => {
  await t?.stop();
});

// What a processor's pending consumer publishes: the event with status PENDING and no cursor,
// straight on the contract's pending channel (a late one, as after a rebalance, is just a publish).
async function publishPending(event: ChainEvent): Promise<void> {
  const message: EventChannelMessage = {
    kind: 'event',
    event: { ...event, status: 'PENDING' },
    cursor: null,
  };
  await t.redis.publish(
    pendingChannel(t.config.redis.keyPrefix, event.chainId, event.address),
    JSON.stringify(message),
  );
}

function inBlock(event: ChainEvent, blockNumber: number, logIndex: number): ChainEvent {
  const blockHash = `0x${blockNumber.toString(16).padStart(64, '0')}` as const;
  return {
    ...event,
    blockNumber,
    blockHash,
    logIndex,
    id: eventId({ chainId: event.chainId, blockHash, logIndex }),
  };
}

describe('events with includePending', () => {
  it.each(['ws', 'sse'] as const)(
    'never delivers over %s a PENDING after the CONFIRMED of its id or of its block',
    async (transport) => {
      const client = wsClient(t.wsUrl);
      const variables = { filter: { contracts: [demo.token] as `0x${string}`[] }, includePending: true };
      const sub =
        transport === 'ws'
          ? subscribeWs(client, EventsDocument, variables)
          : subscribeSse(t.url, EventsDocument, variables);
      await waitUntil(() => t.gateway.stats().listeners === 1, 20_000, 'subscription listening');

      const block = t.fake.nextBlock();
      const confirmed = await t.fake.emit({
        address: demo.token,
        eventName: 'Transfer',
        args: { from: alice, to: bob, value: '5' },
        blockNumber: block,
        logIndex: 0,
      });
      // Late PENDING messages of the confirmed block: the same id, and another log of that block.
      await publishPending(confirmed.event);
      await publishPending(inBlock(confirmed.event, block, 1));
      // A PENDING of a block beyond the confirmed one is still news, then it gets confirmed.
      const next = inBlock(confirmed.event, block + 1, 0);
      await publishPending(next);
      t.fake.nextBlock();
      const marker = await t.fake.emit({
        address: demo.token,
        eventName: 'Transfer',
        args: { from: alice, to: bob, value: '5' },
        blockNumber: block + 1,
        logIndex: 0,
      });
      expect(marker.event.id).not.toBe(next.id);

      await waitUntil(
        () => sub.data().some((data) => data.events.id === marker.event.id),
        20_000,
        'the last confirmed event',
      );
      expect(sub.data().map((data) => [data.events.status, data.events.id])).toEqual([
        ['CONFIRMED', confirmed.event.id],
        ['PENDING', next.id],
        ['CONFIRMED', marker.event.id],
      ]);
      sub.stop();
      await client.dispose();
    },
  );

  it('drops a PENDING of a block the journal already holds when the subscription starts after it', async () => {
    const block = t.fake.nextBlock();
    const confirmed = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: bob, to: alice, value: '9' },
      blockNumber: block,
      logIndex: 0,
    });
    const client = wsClient(t.wsUrl);
    const sub = subscribeWs(client, EventsDocument, {
      filter: { contracts: [demo.token] as `0x${string}`[] },
      includePending: true,
    });
    await waitUntil(() => t.gateway.stats().listeners === 1, 20_000, 'subscription listening');
    await publishPending(confirmed.event);
    t.fake.nextBlock();
    const marker = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: bob, to: alice, value: '10' },
    });
    await waitUntil(
      () => sub.data().some((data) => data.events.id === marker.event.id),
      20_000,
      'the last confirmed event',
    );
    expect(sub.data().map((data) => data.events.id)).toEqual([marker.event.id]);
    sub.stop();
    await client.dispose();
  });
});
