import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractKeys } from '../../src/domain/index.ts';
import { subscribeWs, wsClient } from './support/clients.ts';
import type { FakeEmitted } from './support/fakeProcessor.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';

const resume = parse(`subscription ($after: StreamPosition) {
  events(filter: { contracts: ["${demo.token}"] }, after: $after) { id cursor }
}`);

let t: TestGateway;
const emitted: FakeEmitted[] = [];

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
