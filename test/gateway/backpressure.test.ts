import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractChannel } from '../../src/domain/index.ts';
import { EventsDocument } from './generated/graphql.ts';
import { subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { openRawSocket } from './support/rawWs.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ limits: { subscriptionBuffer: 20, subscriptionsPerConnection: 1000 } });
});

afterAll(async () => {
  await t?.stop();
});

const vaultSubscription = `subscription ($after: StreamPosition) {
  events(filter: { contracts: ["${demo.vault}"] }, after: $after) { id cursor resumeToken ... on UndecodedEvent { data } }
}`;

describe('backpressure', () => {
  it('closes a client that stops reading with SLOW_CONSUMER and its last cursor; it resumes from there', async () => {
    const raw = await openRawSocket(t.wsUrl);
    raw.send({ id: 'slow', type: 'subscribe', payload: { query: vaultSubscription } });
    await waitUntil(() => t.gateway.stats().listeners === 1, 10_000, 'subscription');
    // The client stops reading: TCP buffers fill, the gateway's sends stall, its buffer grows.
    (raw.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = `0x${'ab'.repeat(16_384)}` as `0x${string}`;
    const emitted: TestEmitted[] = [];
    for (let i = 0; i < 5_000 && t.gateway.stats().listeners > 0; i++) {
      if (i % 10 === 0) t.fake.nextBlock();
      emitted.push(await t.fake.emit({ address: demo.vault, eventName: null, decoded: false, data: big }));
    }
    expect(t.gateway.stats().listeners).toBe(0);
    (raw.socket as unknown as { _socket: { resume(): void } })._socket.resume();

    const error = await raw.next((message) => message.type === 'error' && message.id === 'slow', 30_000);
    const [first] = error.payload as Array<{
      message: string;
      extensions: { code: string; lastCursor: string; resumeToken: string };
    }>;
    expect(first!.extensions.code).toBe('SLOW_CONSUMER');
    const received = raw.messages
      .filter((message) => message.type === 'next')
      .map(
        (message) => (message.payload as { data: { events: { id: string; cursor: string } } }).data.events,
      );
    expect(received.length).toBeLessThan(emitted.length);
    expect(received.map((event) => event.id)).toEqual(
      emitted.slice(0, received.length).map((item) => item.event.id),
    );
    expect(first!.extensions.lastCursor).toBe(received.at(-1)?.cursor ?? null);
    raw.socket.close();

    // Resuming with the token from the error delivers exactly what the client did not get.
    const client = wsClient(t.wsUrl);
    const more = await t.fake.emit({ address: demo.vault, eventName: null, decoded: false });
    const rest = [...emitted.slice(received.length), more].map((item) => item.event.id);
    const resumed = subscribeWs(client, EventsDocument, {
      filter: { contracts: [demo.vault] },
      after: first!.extensions.resumeToken,
    });
    const replayed = await resumed.waitFor(rest.length, 60_000);
    expect(replayed.map((data) => data.events.id)).toEqual(rest);
    resumed.stop();
    await client.dispose();
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'released');
  });
});

describe('cleanup', () => {
  it('10k subscribe/unsubscribe cycles leave Redis channel subscriptions and heap at baseline', async () => {
    const channel = contractChannel(t.config.redis.keyPrefix, 31337, demo.token);
    const numsub = async () => Number(((await t.redis.pubsub('NUMSUB', channel)) as [string, number])[1]);
    const query = `subscription { events(filter: { contracts: ["${demo.token}"] }) { id } }`;
    const sockets = await Promise.all(Array.from({ length: 50 }, () => openRawSocket(t.wsUrl)));
    const cycles = async (perSocket: number, round: number) => {
      await Promise.all(
        sockets.map(async (raw, s) => {
          for (let i = 0; i < perSocket; i++) {
            const id = `${round}-${s}-${i}`;
            raw.send({ id, type: 'subscribe', payload: { query } });
            raw.send({ id, type: 'complete' });
          }
          raw.send({ type: 'ping', payload: { round } });
          await raw.next(
            (message) => message.type === 'pong' && (message.payload as { round?: number })?.round === round,
          );
        }),
      );
      await waitUntil(
        async () => t.gateway.stats().listeners === 0 && (await numsub()) === 0,
        30_000,
        'all released',
      );
    };
    await cycles(4, 0);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    for (let round = 1; round <= 5; round++) await cycles(40, round);
    expect(await numsub()).toBe(0);
    expect(t.gateway.stats()).toMatchObject({ redisChannels: 0, listeners: 0 });
    const metrics = await (await fetch(t.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/blockwire_gateway_active_subscriptions\{field="events"\} 0\n/);
    for (const raw of sockets) raw.socket.close();
    await waitUntil(() => t.gateway.stats().webSocketClients === 0, 10_000, 'sockets closed');
    gc();
    expect(process.memoryUsage().heapUsed - baseline).toBeLessThan(30 * 1024 * 1024);
  });
});
