import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EventsDocument,
  type EventsSubscription,
  HeadsDocument,
  TransfersAfterDocument,
  TransfersDocument,
} from './generated/graphql.ts';
import { subscribeSse, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

type Delivered = EventsSubscription['events'];

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterEach(async () => {
  // Every subscription of a test must be released, so the next test counts its own listeners.
  await waitUntil(
    () => t.gateway.stats().listeners === 0 && t.gateway.stats().redisChannels === 0,
    10_000,
    'released',
  );
});

afterAll(async () => {
  await t?.stop();
});

async function emitTransfers(
  count: number,
  contracts: string[] = [demo.token, demo.nft],
): Promise<TestEmitted[]> {
  const emitted: TestEmitted[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 3 === 0) t.fake.nextBlock();
    const address = contracts[i % contracts.length]!;
    const args: Record<string, string> =
      address === demo.nft
        ? { from: alice, to: bob, tokenId: String(1000 + i) }
        : { from: alice, to: bob, value: `${10n ** 18n + BigInt(i)}` };
    emitted.push(await t.fake.emit({ address, eventName: 'Transfer', args }));
  }
  return emitted;
}

async function untilListening(count: number): Promise<void> {
  await waitUntil(() => t.gateway.stats().listeners === count, 20_000, `${count} live subscriptions`);
}

const ids = (events: Array<{ id: string }>) => events.map((event) => event.id);

describe('events subscription', () => {
  it('delivers every published event exactly once and in order over graphql-ws and SSE', async () => {
    const client = wsClient(t.wsUrl);
    const filter = { chainId: 31337, contracts: [demo.token, demo.nft] as `0x${string}`[] };
    const overWs = subscribeWs(client, EventsDocument, { filter });
    const overSse = subscribeSse(t.url, EventsDocument, { filter });
    await untilListening(2);

    const emitted = await emitTransfers(60);
    // An event of a contract outside the filter must not show up.
    await t.fake.emit({ address: demo.items, eventName: 'URI', args: { value: 'x', id: '1' } });

    const [ws, sse] = await Promise.all([overWs.waitFor(60), overSse.waitFor(60)]);
    for (const received of [ws, sse]) {
      expect(ids(received.map((data) => data.events))).toEqual(emitted.map((item) => item.event.id));
      expect(received.map((data) => data.events.cursor)).toEqual(emitted.map((item) => item.cursor));
    }
    const first = ws[0]!.events as Extract<Delivered, { __typename: 'DemoToken_Transfer' }>;
    expect(first.__typename).toBe('DemoToken_Transfer');
    expect(first.args.from).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    expect(first.args.value).toBe('1000000000000000000');
    expect(ws[1]!.events.__typename).toBe('DemoNFT_Transfer');
    // Nothing more arrives (no duplicates) once a later event of the same filter is through.
    const marker = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: bob, to: alice, value: '1' },
    });
    const [wsAll, sseAll] = await Promise.all([overWs.waitFor(61), overSse.waitFor(61)]);
    expect(wsAll.at(-1)!.events.id).toBe(marker.event.id);
    expect(sseAll.at(-1)!.events.id).toBe(marker.event.id);
    expect(overWs.results).toHaveLength(61);
    expect(overSse.results).toHaveLength(61);
    overWs.stop();
    overSse.stop();
    await client.dispose();
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'subscriptions released');
  });

  it.each(['ws', 'sse'] as const)(
    'resumes over %s with the resume token: exactly the events missed while away, then live',
    async (transport) => {
      const client = wsClient(t.wsUrl);
      const filter = { chainId: 31337, contracts: [demo.token, demo.nft] as `0x${string}`[] };
      const subscribe = (after?: string) =>
        transport === 'ws'
          ? subscribeWs(client, EventsDocument, { filter, after })
          : subscribeSse(t.url, EventsDocument, { filter, after });

      const first = subscribe();
      await untilListening(1);
      const before = await emitTransfers(10);
      const seen = await first.waitFor(10);
      expect(ids(seen.map((data) => data.events))).toEqual(ids(before.map((item) => item.event)));
      const token = seen.at(-1)!.events.resumeToken!;
      first.stop();
      await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'first subscription released');

      const whileAway = await emitTransfers(15);
      const resumed = subscribe(token);
      await untilListening(1);
      const after = await emitTransfers(5);
      const received = await resumed.waitFor(20);
      expect(ids(received.map((data) => data.events))).toEqual(
        ids([...whileAway, ...after].map((item) => item.event)),
      );
      const marker = await t.fake.emit({
        address: demo.nft,
        eventName: 'Transfer',
        args: { from: bob, to: alice, tokenId: '7' },
      });
      await resumed.waitFor(21);
      expect(resumed.results.at(-1)!.data!.events.id).toBe(marker.event.id);
      expect(resumed.results).toHaveLength(21);
      resumed.stop();
      await client.dispose();
      await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'subscriptions released');
    },
  );

  it('resumes one contract from a plain cursor', async () => {
    const client = wsClient(t.wsUrl);
    const emitted = await emitTransfers(6, [demo.token]);
    const sub = subscribeWs(client, EventsDocument, {
      filter: { contracts: [demo.token] },
      after: emitted[2]!.cursor!,
    });
    const received = await sub.waitFor(3);
    expect(ids(received.map((data) => data.events))).toEqual(ids(emitted.slice(3).map((item) => item.event)));
    sub.stop();
    await client.dispose();
  });

  it('with includePending delivers the PENDING event first, then its CONFIRMED and REMOVED follow-ups', async () => {
    const client = wsClient(t.wsUrl);
    const sub = subscribeWs(client, EventsDocument, {
      filter: { contracts: [demo.token] },
      includePending: true,
    });
    await untilListening(1);
    const block = t.fake.nextBlock();
    const args = { from: alice, to: bob, value: '5' };
    await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args,
      status: 'PENDING',
      blockNumber: block,
      logIndex: 0,
    });
    await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args,
      status: 'CONFIRMED',
      blockNumber: block,
      logIndex: 0,
    });
    await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args,
      status: 'REMOVED',
      blockNumber: block,
      logIndex: 0,
    });
    const received = await sub.waitFor(3);
    expect(received.map((data) => data.events.status)).toEqual(['PENDING', 'CONFIRMED', 'REMOVED']);
    expect(received[0]!.events.cursor).toBeNull();
    // A deep-reorg REMOVED gets the next journal id after the last one.
    expect(received[2]!.events.cursor).toBe(`${block}-1`);
    sub.stop();
    await client.dispose();
  });

  it('maps tuples, arrays, bytes and ints of a custom ABI and falls back to UndecodedEvent', async () => {
    const client = wsClient(t.wsUrl);
    const sub = subscribeWs(client, EventsDocument, { filter: { contracts: [demo.vault] } });
    await untilListening(1);
    t.fake.nextBlock();
    await t.fake.emit({
      address: demo.vault,
      eventName: 'OrderFilled',
      signature: 'OrderFilled(bytes32,address,(address,uint256)[],(uint64,bytes),int256,string,bool)',
      args: {
        orderId: `0x${'ab'.repeat(32)}`,
        maker: alice,
        legs: [
          {
            token: demo.token,
            amount: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
          },
          { token: demo.nft, amount: '1' },
        ],
        meta: { deadline: '1700000000', signature: '0xDEADBEEF' },
        pnl: '-42',
        memo: 'hello',
        partial: true,
      },
    });
    await t.fake.emit({
      address: demo.vault,
      eventName: 'Rebalanced',
      signature: 'Rebalanced(uint256[][],address[3],string)',
      args: { weights: [['1', '2'], ['3']], managers: [alice, bob, alice], tag: `0x${'cd'.repeat(32)}` },
    });
    await t.fake.emit({ address: demo.vault, eventName: null, decoded: false });
    const received = await sub.waitFor(3);
    const [filled, rebalanced, undecoded] = received.map((data) => data.events);
    expect(filled).toMatchObject({
      __typename: 'DemoVault_OrderFilled',
      args: {
        maker: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
        legs: [
          { amount: '115792089237316195423570985008687907853269984665640564039457584007913129639935' },
          { amount: '1' },
        ],
        meta: { deadline: '1700000000', signature: '0xdeadbeef' },
        pnl: '-42',
        memo: 'hello',
        partial: true,
      },
    });
    expect(rebalanced).toMatchObject({
      __typename: 'DemoVault_Rebalanced',
      args: { weights: [['1', '2'], ['3']] },
    });
    expect(undecoded).toMatchObject({ __typename: 'UndecodedEvent', eventName: null, data: '0x' });
    sub.stop();
    await client.dispose();
  });
});

describe('account and head subscriptions', () => {
  it('streams transfers of one account and new confirmed heads', async () => {
    const client = wsClient(t.wsUrl);
    const carol = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
    const transfers = subscribeWs(client, TransfersDocument, {
      chainId: 31337,
      account: carol as `0x${string}`,
    });
    const heads = subscribeWs(client, HeadsDocument, { chainId: 31337 });
    await untilListening(2);
    await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: alice, to: bob, value: '1' },
    });
    const mine = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: carol, to: bob, value: '2' },
    });
    await t.fake.emit({
      address: demo.token,
      eventName: 'Approval',
      args: { owner: carol, spender: bob, value: '3' },
    });
    const head = await t.fake.head(4242);
    const [transfer] = await transfers.waitFor(1);
    expect(transfer!.transfers.id).toBe(mine.event.id);
    const [received] = await heads.waitFor(1);
    expect(received!.heads).toEqual({
      chainId: 31337,
      blockNumber: '4242',
      blockHash: head.blockHash,
      head: '4244',
    });
    transfers.stop();
    heads.stop();
    await client.dispose();
  });

  it('resumes the transfers of one account from a resume token: exactly the ones it missed, across contracts, once and in order', async () => {
    const client = wsClient(t.wsUrl);
    const dave = '0x15d34aaf54267db7d7c367839aaf71a00a2c6a65';
    const ofDave = (count: number, offset: number) =>
      Array.from({ length: count }, (_, i) => {
        // Alternately from and to dave, on the ERC-20 and the ERC-721.
        const address = i % 2 === 0 ? demo.token : demo.nft;
        const [from, to] = i % 4 < 2 ? [dave, bob] : [alice, dave];
        return { address, from, to, amount: String(offset + i) };
      });
    const emit = async (items: ReturnType<typeof ofDave>) => {
      const mine: TestEmitted[] = [];
      for (const { address, from, to, amount } of items) {
        t.fake.nextBlock();
        // Someone else's transfer on the same contract between each of dave's.
        await t.fake.emit({
          address,
          eventName: 'Transfer',
          args:
            address === demo.nft
              ? { from: alice, to: bob, tokenId: `9${amount}` }
              : { from: alice, to: bob, value: '1' },
        });
        const args = address === demo.nft ? { from, to, tokenId: amount } : { from, to, value: amount };
        mine.push(await t.fake.emit({ address, eventName: 'Transfer', args }));
      }
      return mine;
    };
    const live = subscribeWs(client, TransfersDocument, { chainId: 31337, account: dave as `0x${string}` });
    await untilListening(1);
    const first = await emit(ofDave(4, 100));
    const got = await live.waitFor(4);
    expect(got.map((data) => data.transfers.id)).toEqual(ids(first.map((item) => item.event)));
    live.stop();
    const token = got.at(-1)!.transfers.resumeToken!;
    expect(token).toBeTruthy();

    // Missed while away, then more once it is back.
    const missed = await emit(ofDave(5, 200));
    const resumed = subscribeWs(client, TransfersAfterDocument, {
      chainId: 31337,
      account: dave as `0x${string}`,
      after: token,
    });
    const replayed = await resumed.waitFor(5);
    expect(replayed.map((data) => data.transfers.id)).toEqual(ids(missed.map((item) => item.event)));
    await untilListening(1);
    const later = await emit(ofDave(3, 300));
    const all = await resumed.waitFor(8);
    expect(all.map((data) => data.transfers.id)).toEqual(
      ids([...missed, ...later].map((item) => item.event)),
    );
    resumed.stop();
    await client.dispose();
  });
});
