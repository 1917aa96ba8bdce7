import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeResumeToken } from '../../src/gateway/stream/resumeToken.ts';
import { waitUntil } from './support/clients.ts';
import { openRawSocket, type RawSocket } from './support/rawWs.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

// Identical WebSocket subscriptions share one execution per event (a render group); these tests
// check that sharing never mixes what different subscribers must see.

const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({ limits: { subscriptionBuffer: 20, subscriptionsPerConnection: 100 } });
});

/** Sockets of the running test, closed after it whatever its outcome (a failure stays its own). */
let opened: RawSocket[] = [];

async function open(): Promise<RawSocket> {
  const raw = await openRawSocket(t.wsUrl);
  opened.push(raw);
  return raw;
}

afterEach(async () => {
  for (const raw of opened) raw.socket.close();
  opened = [];
  await waitUntil(
    () => t.gateway.stats().listeners === 0 && t.gateway.stats().renderGroups === 0,
    10_000,
    'released',
  );
});

afterAll(async () => {
  await t?.stop();
});

type Delivered = {
  id: string;
  status?: string;
  cursor: string | null;
  resumeToken?: string;
  args?: Record<string, string>;
};

const query = `subscription ($filter: EventFilter) {
  events(filter: $filter) { id cursor resumeToken ... on DemoToken_Transfer { args { from to value } } }
}`;

function subscribe(raw: RawSocket, id: string, variables: Record<string, unknown>, text = query): void {
  raw.send({ id, type: 'subscribe', payload: { query: text, variables } });
}

function received(raw: RawSocket, id: string): Delivered[] {
  return raw.messages
    .filter((message) => message.type === 'next' && message.id === id)
    .map((message) => (message.payload as { data: { events: Delivered } }).data.events);
}

async function receivedCount(raw: RawSocket, id: string, count: number): Promise<Delivered[]> {
  await waitUntil(() => received(raw, id).length >= count, 20_000, `${count} events on ${id}`);
  return received(raw, id);
}

async function transfers(count: number, address: string = demo.token): Promise<TestEmitted[]> {
  const emitted: TestEmitted[] = [];
  for (let i = 0; i < count; i++) {
    t.fake.nextBlock();
    emitted.push(
      await t.fake.emit({
        address,
        eventName: 'Transfer',
        // ERC-721 transfers carry a tokenId (without one the processor dead-letters the event).
        args: { from: alice, to: bob, [address === demo.nft ? 'tokenId' : 'value']: String(i + 1) },
      }),
    );
  }
  return emitted;
}

describe('shared rendering of identical subscriptions', () => {
  it('gives subscribers of the same document and variables the same results from one render group', async () => {
    const [one, two] = await Promise.all([open(), open()]);
    const variables = { filter: { contracts: [demo.token] } };
    subscribe(one, 'a', variables);
    subscribe(two, 'b', variables);
    subscribe(two, 'c', variables);
    await waitUntil(() => t.gateway.stats().listeners === 3, 10_000, 'subscriptions');
    expect(t.gateway.stats().renderGroups).toBe(1);

    const emitted = await transfers(5);
    const [a, b, c] = await Promise.all([
      receivedCount(one, 'a', 5),
      receivedCount(two, 'b', 5),
      receivedCount(two, 'c', 5),
    ]);
    expect(a.map((event) => event.id)).toEqual(emitted.map((item) => item.event.id));
    expect(a.map((event) => event.cursor)).toEqual(emitted.map((item) => item.cursor));
    expect(a[0]!.args).toEqual({
      from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      to: expect.any(String),
      value: '1',
    });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    one.socket.close();
    two.socket.close();
  });

  it('keeps subscribers with different variables or documents apart', async () => {
    const raw = await open();
    subscribe(raw, 'token', { filter: { contracts: [demo.token] } });
    subscribe(raw, 'nft', { filter: { contracts: [demo.nft] } });
    subscribe(raw, 'from-bob', { filter: { contracts: [demo.token], args: [{ name: 'from', value: bob }] } });
    subscribe(
      raw,
      'ids-only',
      { filter: { contracts: [demo.token] } },
      'subscription ($filter: EventFilter) { events(filter: $filter) { id } }',
    );
    await waitUntil(() => t.gateway.stats().listeners === 4, 10_000, 'subscriptions');
    expect(t.gateway.stats().renderGroups).toBe(4);

    const tokenEvents = await transfers(2, demo.token);
    t.fake.nextBlock();
    const nftEvent = await t.fake.emit({
      address: demo.nft,
      eventName: 'Transfer',
      args: { from: alice, to: bob, tokenId: '7' },
    });
    const fromBob = await t.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: bob, to: alice, value: '9' },
    });

    const token = await receivedCount(raw, 'token', 3);
    expect(token.map((event) => event.id)).toEqual([...tokenEvents, fromBob].map((item) => item.event.id));
    expect((await receivedCount(raw, 'nft', 1)).map((event) => event.id)).toEqual([nftEvent.event.id]);
    expect((await receivedCount(raw, 'from-bob', 1)).map((event) => event.id)).toEqual([fromBob.event.id]);
    const idsOnly = await receivedCount(raw, 'ids-only', 3);
    expect(idsOnly[0]).toEqual({ id: tokenEvents[0]!.event.id });
    // Nothing beyond what each filter matches arrives later.
    await transfers(1, demo.nft);
    await receivedCount(raw, 'nft', 2);
    expect(received(raw, 'token')).toHaveLength(3);
    expect(received(raw, 'from-bob')).toHaveLength(1);
    raw.socket.close();
  });

  it('gives each subscriber of a shared document the resume token of its own positions', async () => {
    // Approvals are filtered out but advance the start position of a later subscriber only.
    const variables = { filter: { contracts: [demo.token, demo.nft], events: ['Transfer'] } };
    const early = await open();
    subscribe(early, 'early', variables);
    await waitUntil(() => t.gateway.stats().listeners === 1, 10_000, 'early subscription');
    t.fake.nextBlock();
    const approval = await t.fake.emit({
      address: demo.token,
      eventName: 'Approval',
      args: { owner: alice, spender: bob, value: '1' },
    });
    const late = await open();
    subscribe(late, 'late', variables);
    await waitUntil(() => t.gateway.stats().listeners === 2, 10_000, 'late subscription');
    expect(t.gateway.stats().renderGroups).toBe(1);

    const [transfer] = await transfers(1, demo.nft);
    const [fromEarly] = await receivedCount(early, 'early', 1);
    const [fromLate] = await receivedCount(late, 'late', 1);
    expect(fromEarly!.id).toBe(transfer!.event.id);
    expect(fromLate!.id).toBe(transfer!.event.id);
    const tokenKey = `31337:${demo.token}`;
    const nftKey = `31337:${demo.nft}`;
    const earlyPositions = decodeResumeToken(fromEarly!.resumeToken!)!;
    const latePositions = decodeResumeToken(fromLate!.resumeToken!)!;
    expect(latePositions).toEqual({ [tokenKey]: approval.cursor, [nftKey]: transfer!.cursor });
    expect(earlyPositions[nftKey]).toBe(transfer!.cursor);
    expect(earlyPositions[tokenKey]).not.toBe(approval.cursor);
    early.socket.close();
    late.socket.close();
  });

  it('closes only the slow subscriber of a shared group, with its last cursor; the others get everything', async () => {
    const vault = `subscription { events(filter: { contracts: ["${demo.vault}"] }) { id cursor resumeToken ... on UndecodedEvent { data } } }`;
    const [slow, fast] = await Promise.all([open(), open()]);
    subscribe(slow, 'slow', {}, vault);
    subscribe(fast, 'fast', {}, vault);
    await waitUntil(() => t.gateway.stats().listeners === 2, 10_000, 'subscriptions');
    expect(t.gateway.stats().renderGroups).toBe(1);
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();

    const big = `0x${'ab'.repeat(16_384)}` as `0x${string}`;
    const emitted: TestEmitted[] = [];
    for (let i = 0; i < 5_000 && t.gateway.stats().listeners > 1; i++) {
      if (i % 10 === 0) t.fake.nextBlock();
      emitted.push(await t.fake.emit({ address: demo.vault, eventName: null, decoded: false, data: big }));
      // The fast subscriber keeps reading: wait for it now and then so only the slow one falls behind.
      if (i % 10 === 9) await receivedCount(fast, 'fast', emitted.length);
    }
    expect(t.gateway.stats().listeners).toBe(1);
    const more = await transfers(3, demo.vault);
    const all = [...emitted, ...more].map((item) => item.event.id);
    expect((await receivedCount(fast, 'fast', all.length)).map((event) => event.id)).toEqual(all);
    expect(t.gateway.stats().renderGroups).toBe(1);

    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const error = await slow.next((message) => message.type === 'error' && message.id === 'slow', 30_000);
    const [first] = error.payload as Array<{ extensions: { code: string; lastCursor: string } }>;
    expect(first!.extensions.code).toBe('SLOW_CONSUMER');
    const got = received(slow, 'slow');
    expect(got.length).toBeLessThan(emitted.length);
    expect(got.map((event) => event.id)).toEqual(all.slice(0, got.length));
    expect(first!.extensions.lastCursor).toBe(got.at(-1)?.cursor ?? null);
    slow.socket.close();
    fast.socket.close();
  });

  it('keeps the other members streaming when one unsubscribes, and drops the group with the last one', async () => {
    const [one, two] = await Promise.all([open(), open()]);
    const variables = { filter: { contracts: [demo.token] } };
    subscribe(one, 'x', variables);
    subscribe(two, 'x', variables);
    await waitUntil(() => t.gateway.stats().listeners === 2, 10_000, 'subscriptions');
    await transfers(1);
    await Promise.all([receivedCount(one, 'x', 1), receivedCount(two, 'x', 1)]);

    one.send({ id: 'x', type: 'complete' });
    await waitUntil(() => t.gateway.stats().listeners === 1, 10_000, 'one released');
    expect(t.gateway.stats().renderGroups).toBe(1);
    const later = await transfers(2);
    const rest = await receivedCount(two, 'x', 3);
    expect(rest.slice(1).map((event) => event.id)).toEqual(later.map((item) => item.event.id));
    expect(received(one, 'x')).toHaveLength(1);

    two.socket.close();
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'all released');
    expect(t.gateway.stats().renderGroups).toBe(0);
    one.socket.close();
  });

  it('hands subscribers to the shared live path while events stream: each gets every event after its start once, in order', async () => {
    const text = `subscription ($after: StreamPosition) {
      events(filter: { contracts: ["${demo.token}"] }, after: $after, includePending: true) { id status cursor }
    }`;
    const [start] = await transfers(1);
    const confirmed: TestEmitted[] = [];
    let pendingSent = 0;
    const subscribers: Array<{ raw: RawSocket; id: string }> = [];
    // Confirmed events a subscriber received; fails at once if its subscription ended.
    const confirmedOn = ({ raw, id }: { raw: RawSocket; id: string }) => {
      const ended = raw.messages.find((message) => message.type === 'error' && message.id === id);
      if (ended) throw new Error(`${id} ended: ${JSON.stringify(ended.payload)}`);
      return received(raw, id).filter((event) => event.status === 'CONFIRMED').length;
    };
    // Each block: its transfer as PENDING (pending channel), then CONFIRMED (journal and channel).
    // At most `lead` blocks ahead of the slowest subscriber: up to 2 × lead messages wait for one,
    // below the gateway's buffer of 20 however slow the machine (beyond it, SLOW_CONSUMER is right).
    const lead = 5;
    const stream = (async () => {
      for (let i = 0; i < 160; i++) {
        await waitUntil(
          () => subscribers.every((subscriber) => confirmedOn(subscriber) >= confirmed.length - lead),
          20_000,
          'the subscribers to keep up',
        );
        const blockNumber = t.fake.nextBlock();
        const transfer = { address: demo.token, eventName: 'Transfer', blockNumber, logIndex: 0 } as const;
        const args = { from: alice, to: bob, value: String(i + 2) };
        await t.fake.emit({ ...transfer, args, status: 'PENDING' });
        pendingSent += 1;
        confirmed.push(await t.fake.emit({ ...transfer, args }));
      }
    })();
    // Subscribers join at different points of the stream: replay, buffer, then live, then the fan.
    for (let k = 0; k < 8; k++) {
      const raw = await open();
      const id = k % 2 === 0 ? 'same' : `own-${k}`;
      subscribe(raw, id, { after: start!.cursor }, text);
      subscribers.push({ raw, id });
      await waitUntil(() => pendingSent >= (k + 1) * 15, 20_000, 'more of the stream');
    }
    await stream;
    const expected = confirmed.map((item) => item.event.id);
    for (const { raw, id } of subscribers) {
      await waitUntil(
        () => confirmedOn({ raw, id }) >= expected.length,
        20_000,
        `every confirmed event on ${id}`,
      );
      const got = received(raw, id);
      const confirmedIds = got.filter((event) => event.status === 'CONFIRMED').map((event) => event.id);
      expect(confirmedIds).toEqual(expected);
      // A PENDING arrives at most once and never after the CONFIRMED of its id.
      const pendingIds = got.filter((event) => event.status === 'PENDING').map((event) => event.id);
      expect(new Set(pendingIds).size).toBe(pendingIds.length);
      for (const pendingId of pendingIds) {
        const at = (status: string) =>
          got.findIndex((event) => event.id === pendingId && event.status === status);
        expect(at('PENDING')).toBeLessThan(at('CONFIRMED'));
      }
    }
    // Every one of them ended on the shared path.
    expect(t.gateway.stats()).toMatchObject({ listeners: 8, sharedLive: 8, renderGroups: 1 });
    for (const { raw } of subscribers) raw.socket.close();
  });

  it('shares one render group between subscribers resuming from different positions; each gets its own missed events', async () => {
    const text = `subscription ($after: StreamPosition) {
      events(filter: { contracts: ["${demo.token}"] }, after: $after) { id cursor resumeToken }
    }`;
    const history = await transfers(4);
    const [one, two] = await Promise.all([open(), open()]);
    subscribe(one, 'x', { after: history[0]!.cursor }, text);
    subscribe(two, 'x', { after: history[2]!.cursor }, text);
    const ids = (items: TestEmitted[]) => items.map((item) => item.event.id);
    expect((await receivedCount(one, 'x', 3)).map((event) => event.id)).toEqual(ids(history.slice(1)));
    expect((await receivedCount(two, 'x', 1)).map((event) => event.id)).toEqual(ids(history.slice(3)));
    expect(t.gateway.stats().renderGroups).toBe(1);
    await waitUntil(() => t.gateway.stats().listeners === 2, 10_000, 'both live');

    const live = await transfers(3);
    const a = await receivedCount(one, 'x', 6);
    const b = await receivedCount(two, 'x', 4);
    expect(a.map((event) => event.id)).toEqual(ids([...history.slice(1), ...live]));
    expect(b.map((event) => event.id)).toEqual(ids([...history.slice(3), ...live]));
    // Same positions from here on, so the same resume token.
    expect(a.at(-1)!.resumeToken).toBe(b.at(-1)!.resumeToken);
    one.socket.close();
    two.socket.close();
  });

  it('renders each confirmed head once for identical heads subscriptions, and each subscriber gets it', async () => {
    const heads = 'subscription { heads(chainId: 31337) { chainId blockNumber blockHash head } }';
    const [one, two] = await Promise.all([open(), open()]);
    subscribe(one, 'h', {}, heads);
    subscribe(two, 'other-id', {}, heads);
    await waitUntil(() => t.gateway.stats().listeners === 2, 10_000, 'subscriptions');
    expect(t.gateway.stats().renderGroups).toBe(1);
    const first = await t.fake.head(5001);
    const second = await t.fake.head(5002);
    const got = (raw: RawSocket, id: string) =>
      raw.messages
        .filter((message) => message.type === 'next' && message.id === id)
        .map((message) => (message.payload as { data: { heads: unknown } }).data.heads);
    const expected = [first, second].map((head) => ({
      chainId: 31337,
      blockNumber: String(head.blockNumber),
      blockHash: head.blockHash,
      head: String(head.head),
    }));
    await waitUntil(() => got(one, 'h').length === 2 && got(two, 'other-id').length === 2, 10_000, 'heads');
    expect(got(one, 'h')).toEqual(expected);
    expect(got(two, 'other-id')).toEqual(expected);
    one.socket.close();
    two.socket.close();
  });
});
