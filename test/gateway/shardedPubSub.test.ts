import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractChannel, headsChannel, pendingChannel } from '../../src/domain/index.ts';
import { EventsDocument, HeadsDocument, TransfersDocument } from './generated/graphql.ts';
import { subscribeSse, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

// `redis.pubsub: sharded` on one server (Redis 7): the apply scripts SPUBLISH, the gateway SSUBSCRIBEs.
// On a cluster the same runs per shard (test/e2e/redisCluster.test.ts); here every subscription kind
// is checked against it, and that nothing goes through classic pub/sub.

const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const carol = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    configure: (config) => ({ ...config, redis: { ...config.redis, pubsub: 'sharded' } }),
  });
});

afterAll(async () => {
  await t?.stop();
});

/** Subscribers of each channel: [sharded, classic]. */
async function subscribers(channels: string[]): Promise<Array<[number, number]>> {
  const count = async (command: string, channel: string) =>
    Number(((await t.redis.call('PUBSUB', command, channel)) as [string, number])[1]);
  return Promise.all(
    channels.map(async (channel) => [await count('SHARDNUMSUB', channel), await count('NUMSUB', channel)]),
  );
}

describe('sharded pub/sub', () => {
  it('delivers events, pending events, transfers of an account across contracts and heads; releases its shard channels', async () => {
    const prefix = t.config.redis.keyPrefix;
    const contracts = [demo.token, demo.nft];
    const client = wsClient(t.wsUrl);
    const filter = { contracts };
    const events = subscribeWs(client, EventsDocument, { filter, includePending: true });
    const sse = subscribeSse(t.url, EventsDocument, { filter });
    const transfers = subscribeWs(client, TransfersDocument, { chainId: 31337, account: carol });
    const heads = subscribeWs(client, HeadsDocument, { chainId: 31337 });
    await waitUntil(() => t.gateway.stats().listeners === 4, 20_000, 'four live subscriptions');
    const channels = [
      ...contracts.map((address) => contractChannel(prefix, 31337, address)),
      pendingChannel(prefix, 31337, demo.token),
      headsChannel(prefix, 31337),
    ];
    for (const [sharded, classic] of await subscribers(channels)) {
      expect(sharded).toBe(1);
      expect(classic).toBe(0);
    }

    t.fake.nextBlock();
    const block = t.fake.nextBlock();
    const pendingArgs = { from: alice, to: bob, value: '5' };
    const pending = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: pendingArgs,
      status: 'PENDING',
      blockNumber: block + 1,
      logIndex: 0,
    });
    const emitted: TestEmitted[] = [];
    // Carol's transfers on two contracts (each publishes on its own account channel), and others'.
    emitted.push(
      await t.fake.emit({
        address: demo.token,
        eventName: 'Transfer',
        args: { from: carol, to: bob, value: '1' },
      }),
    );
    emitted.push(
      await t.fake.emit({
        address: demo.nft,
        eventName: 'Transfer',
        args: { from: alice, to: bob, tokenId: '7' },
      }),
    );
    emitted.push(
      await t.fake.emit({
        address: demo.nft,
        eventName: 'Transfer',
        args: { from: bob, to: carol, tokenId: '8' },
      }),
    );
    const head = await t.fake.head(block);

    const confirmedIds = emitted.map((item) => item.event.id);
    const got = await events.waitFor(4);
    expect(got.map((data) => [data.events.id, data.events.status])).toEqual([
      [pending.event.id, 'PENDING'],
      ...confirmedIds.map((id) => [id, 'CONFIRMED']),
    ]);
    expect((await sse.waitFor(3)).map((data) => data.events.id)).toEqual(confirmedIds);
    const carols = await transfers.waitFor(2);
    expect(carols.map((data) => data.transfers.id)).toEqual([confirmedIds[0], confirmedIds[2]]);
    const [received] = await heads.waitFor(1);
    expect(received!.heads.blockNumber).toBe(String(head.blockNumber));

    for (const collector of [events, sse, transfers, heads]) collector.stop();
    await client.dispose();
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'released');
    await waitUntil(
      async () => (await subscribers(channels)).every(([sharded]) => sharded === 0),
      10_000,
      'every shard channel unsubscribed',
    );
  });
});
