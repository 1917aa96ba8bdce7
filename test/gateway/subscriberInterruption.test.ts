import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRegistry } from '../../src/shared/metrics.ts';
import { type PrivateRedis, startPrivateRedis } from '../process/support/privateRedis.ts';
import { EventsDocument } from './generated/graphql.ts';
import { subscribeSse, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

type Ended = { error?: unknown };

/**
 * The `extensions` of the GraphQL error a subscription ended with: graphql-ws ends it with an array of
 * errors, SSE sends them in a last result.
 */
function errorExtensions(ended: Ended, results: ExecutionResult[]): Record<string, unknown> | undefined {
  const errors = ended.error
    ? Array.isArray(ended.error)
      ? ended.error
      : [ended.error]
    : results.at(-1)?.errors;
  return (errors?.[0] as { extensions?: Record<string, unknown> } | undefined)?.extensions;
}

// Its own redis-server: the test kills every pub/sub connection of it.
describe('live subscriptions when the gateway loses its Redis subscriber connection', () => {
  let redisServer: PrivateRedis;
  let t: TestGateway;

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    t = await startTestGateway({
      configure: (config) => ({ ...config, redis: { ...config.redis, url: redisServer.url } }),
    });
  });

  afterAll(async () => {
    await t?.stop();
    await redisServer?.stop();
  });

  it('closes them with SUBSCRIPTION_INTERRUPTED and a resume token, from which the client gets everything once', async () => {
    const filter = { contracts: [demo.vault] };
    const client = wsClient(t.wsUrl);
    // Two identical subscriptions (they share one live path) and one over SSE.
    const subscribers = [
      subscribeWs(client, EventsDocument, { filter }),
      subscribeWs(client, EventsDocument, { filter }),
      subscribeSse(t.url, EventsDocument, { filter }),
    ];
    await waitUntil(() => t.gateway.stats().listeners >= 1, 10_000, 'subscribed');
    const emitted: TestEmitted[] = [];
    const emit = async (count: number) => {
      for (let i = 0; i < count; i++) {
        t.fake.nextBlock();
        emitted.push(await t.fake.emit({ address: demo.vault, eventName: null, decoded: false }));
      }
    };
    await emit(5);
    await Promise.all(subscribers.map((subscriber) => subscriber.waitFor(5, 20_000)));
    const interruptions = async () =>
      (
        await metricsRegistry.getSingleMetricAsString('blockwire_gateway_subscriber_interruptions_total')
      ).match(/_total (\d+)/)?.[1];
    const before = Number((await interruptions()) ?? 0);

    // The connection drops; ioredis reconnects and subscribes again, but what is published in
    // between is gone for it.
    await t.redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await emit(5);

    const ended = await Promise.all(subscribers.map((subscriber) => subscriber.ended));
    expect(Number(await interruptions())).toBe(before + 1);
    const all = emitted.map((item) => item.event.id);
    for (const [index, subscriber] of subscribers.entries()) {
      const extensions = errorExtensions(ended[index]!, subscriber.results);
      expect(extensions?.code, `subscriber ${index}`).toBe('SUBSCRIPTION_INTERRUPTED');
      const received = subscriber.results.flatMap((result) => (result.data ? [result.data.events.id] : []));
      // What it got is a prefix of what was emitted: in order, nothing twice, nothing skipped.
      expect(received).toEqual(all.slice(0, received.length));
      const resumed = subscribeWs(client, EventsDocument, {
        filter,
        after: extensions!.resumeToken as string,
      });
      const rest = await resumed.waitFor(all.length - received.length, 20_000);
      expect([...received, ...rest.map((data) => data.events.id)]).toEqual(all);
      resumed.stop();
    }
    await client.dispose();
  });
});
