import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractKeys } from '../../src/domain/index.ts';
import { postGraphql, subscribeWs, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

const resume = parse(`subscription ($after: StreamPosition) {
  events(filter: { contracts: ["${demo.token}"] }, after: $after) { id cursor }
}`);

let t: TestGateway;
const emitted: TestEmitted[] = [];

beforeAll(async () => {
  t = await startTestGateway();
  const alice = '0x00000000000000000000000000000000000000a1';
  const bob = '0x00000000000000000000000000000000000000b2';
  for (let i = 0; i < 30; i++) {
    t.fake.nextBlock();
    emitted.push(
      await t.fake.emit({
        address: demo.token,
        eventName: 'Transfer',
        args: { from: alice, to: bob, value: `${i + 1}` },
      }),
    );
  }
  // Journal retention drops the 20 oldest entries, as the processor's MAXLEN does.
  await t.redis.xtrim(contractKeys(t.config.redis.keyPrefix, 31337, demo.token).journal, 'MAXLEN', 10);
});

const history = `query ($after: StreamPosition) {
  events(filter: { contracts: ["${demo.token}"] }, after: $after, first: 100) { nodes { id } }
}`;

afterAll(async () => {
  await t?.stop();
});

describe('resuming from a trimmed journal', () => {
  it('refuses with CURSOR_EXPIRED and the oldest cursor kept instead of skipping events', async () => {
    const subscription = subscribeWs(wsClient(t.wsUrl), resume, { after: emitted[4]!.cursor });
    const { error } = await subscription.ended;
    const [first] = error as { message: string; extensions: { code: string; oldestCursor: string } }[];
    expect(first?.extensions.code).toBe('CURSOR_EXPIRED');
    expect(first?.extensions.oldestCursor).toBe(emitted[20]!.cursor);
    expect(first?.message).toContain(`after ${emitted[4]!.cursor}`);
  });

  it('still resumes from a cursor inside the kept part', async () => {
    const subscription = subscribeWs(wsClient(t.wsUrl), resume, { after: emitted[24]!.cursor });
    const events = await subscription.waitFor(5, 20_000);
    subscription.stop();
    expect(events.map((data) => (data as { events: { id: string } }).events.id)).toEqual(
      emitted.slice(25).map((item) => item.event.id),
    );
  });
});

describe('reading history on from a trimmed journal', () => {
  type HistoryResult = { events: { nodes: { id: string }[] } };
  type HistoryError = { message: string; extensions: { code: string; oldestCursor: string } };

  it('refuses with CURSOR_EXPIRED instead of returning a page with a hole', async () => {
    const { body } = await postGraphql<HistoryResult, { after: string }>(t.url, history, {
      after: emitted[4]!.cursor!,
    });
    const error = body.errors?.[0] as HistoryError | undefined;
    expect(error?.extensions.code).toBe('CURSOR_EXPIRED');
    expect(error?.extensions.oldestCursor).toBe(emitted[20]!.cursor);
  });

  it('reads from the oldest kept entry without after or from the beginning, and on from a kept cursor', async () => {
    const kept = emitted.slice(20).map((item) => item.event.id);
    const all = await postGraphql<HistoryResult, Record<string, never>>(t.url, history, {});
    expect(all.body.data?.events.nodes.map((node) => node.id)).toEqual(kept);
    const fromStart = await postGraphql<HistoryResult, { after: string }>(t.url, history, { after: '0-0' });
    expect(fromStart.body.data?.events.nodes.map((node) => node.id)).toEqual(kept);
    const onwards = await postGraphql<HistoryResult, { after: string }>(t.url, history, {
      after: emitted[24]!.cursor!,
    });
    expect(onwards.body.data?.events.nodes.map((node) => node.id)).toEqual(kept.slice(5));
  });
});
