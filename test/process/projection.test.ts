import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import {
  type ChainEvent,
  chainStatusKey,
  decodeChainStatus,
  decodeEvent,
  type EventChannelMessage,
  encodeEvent,
  eventKey,
  pendingChannel,
  topicNames,
} from '../../src/domain/index.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { accountsOf } from '../../src/process/projection/accountsOf.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent } from './support/events.ts';
import { expectProjectionsExact } from './support/expectExact.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { produceRecords } from './support/produce.ts';
import { createScenario, type Scenario, type TestRecord } from './support/scenario.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;

describe('process: projections from events.confirmed', () => {
  let setup: TestConfig;
  let harness: Harness;
  let scenario: Scenario;
  let processor: Processor;
  let records: TestRecord[];

  beforeAll(async () => {
    const stack = getStack();
    const topics = (prefix: string) => topicNames(prefix);
    scenario = createScenario({ chainId, topics: topics('unused'), seed: 7 });
    setup = createTestConfig({
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      chainId,
      kinds: scenario.kinds,
    });
    // Re-create the scenario against this test's topics (same seed → same contracts and history).
    scenario = createScenario({ chainId, topics: topics(setup.config.kafka.topicPrefix), seed: 7 });
    harness = await createHarness({ config: setup.config, chainId });
    scenario.blocks(150);
    scenario.reorg(3);
    scenario.blocks(100);
    scenario.reorg(6);
    scenario.blocks(60);
    scenario.reorg(1);
    scenario.blocks(40);
    records = scenario.drain();
    await produceRecords(harness.producer, records);
    processor = createProcessor({
      config: setup.config,
      instanceId: 'p1',
      options: { sessionTimeoutMs: 8_000 },
    });
    await processor.start();
  });

  afterAll(async () => {
    await processor?.stop();
    await harness?.close();
  });

  const contracts = () => Object.keys(scenario.kinds);
  const confirmedRecords = () => records.filter((record) => record.topic.endsWith('.events.confirmed'));
  const recordsOf = (address: string) =>
    confirmedRecords()
      .map((record) => decodeEvent(record.value))
      .flatMap((decoded) => (decoded.ok && decoded.value.address === address ? [decoded.value] : []));

  const chainStatus = async () =>
    decodeChainStatus(await harness.redis.hgetall(chainStatusKey(setup.config.redis.keyPrefix, chainId)));

  const expectProjectionExact = () =>
    expectProjectionsExact({ harness, keyPrefix: setup.config.redis.keyPrefix, chainId, scenario });

  it('applies a history with deep reorgs to exactly the state of the canonical events', async () => {
    const total = confirmedRecords().length;
    await waitFor(async () => (await harness.appliedCount(contracts())) === total, {
      description: `${total} journal entries`,
      timeoutMs: 90_000,
    });
    await expectProjectionExact();
    const removed = confirmedRecords().filter((record) => record.value.includes('"status":"REMOVED"')).length;
    expect(removed).toBeGreaterThan(10);
    expect(
      scenario
        .canonical()
        .some((event) => event.args.value === (2n ** 256n - 1n).toString() || event.args.ids),
    ).toBe(true);
  });

  it('journals every CONFIRMED and REMOVED event once, in topic order, with increasing cursors', async () => {
    for (const address of contracts()) {
      const journal = await harness.journal(address);
      const produced = recordsOf(address);
      expect(journal.map((entry) => `${entry.id}/${entry.status}`)).toEqual(
        produced.map((event) => `${event.id}/${event.status}`),
      );
      for (let i = 1; i < journal.length; i++) {
        const [a, b] = [journal[i - 1]!.cursor, journal[i]!.cursor].map((cursor) =>
          cursor.split('-').map(BigInt),
        ) as [bigint[], bigint[]];
        expect(a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!)).toBe(true);
      }
      // Confirmed events keep their chain position as cursor unless a reorg moved the journal past it.
      const first = produced[0]!;
      expect(journal[0]!.cursor).toBe(`${first.blockNumber}-${first.logIndex}`);
    }
  });

  it('publishes each journal entry once on its contract channel and once per involved account', async () => {
    const journals = new Map<string, string[]>();
    for (const address of contracts())
      journals.set(
        address,
        (await harness.journal(address)).map((entry) => `${entry.cursor}/${entry.id}/${entry.status}`),
      );
    const total = [...journals.values()].reduce((sum, list) => sum + list.length, 0);
    await waitFor(() => harness.contractMessages.length >= total, {
      description: 'contract channel messages',
      timeoutMs: 20_000,
    });
    const published = new Map<string, string[]>();
    for (const { event, cursor } of harness.contractMessages)
      published.set(event.address, [
        ...(published.get(event.address) ?? []),
        `${cursor}/${event.id}/${event.status}`,
      ]);
    for (const address of contracts()) expect(published.get(address)).toEqual(journals.get(address));
    const expectedAccount = new Map<string, number>();
    for (const record of confirmedRecords()) {
      const decoded = decodeEvent(record.value);
      if (!decoded.ok) continue;
      for (const account of accountsOf(decoded.value))
        expectedAccount.set(account, (expectedAccount.get(account) ?? 0) + 1);
    }
    const expectedTotal = [...expectedAccount.values()].reduce((sum, n) => sum + n, 0);
    await waitFor(() => harness.accountMessages.length >= expectedTotal, {
      description: 'account messages',
      timeoutMs: 20_000,
    });
    const actualAccount = new Map<string, number>();
    for (const { channel } of harness.accountMessages) {
      const account = channel.slice(channel.lastIndexOf(':') + 1);
      actualAccount.set(account, (actualAccount.get(account) ?? 0) + 1);
    }
    expect(actualAccount).toEqual(expectedAccount);
  });

  it('records the confirmed head and the processed block in the chain status', async () => {
    const last = scenario.canonical().at(-1)!;
    const status = await waitFor(
      async () => {
        const value = await chainStatus();
        return Number(value.confirmed) === last.blockNumber ? value : undefined;
      },
      { description: 'the confirmed block in the chain status', timeoutMs: 20_000 },
    );
    expect(status.confirmedHash).toBe(last.blockHash);
    expect(Number(status.processedBlock)).toBe(last.blockNumber);
    expect(Number(status.head)).toBe(last.blockNumber + 2);
  });

  it('counts empty blocks after the last event as processed once the checkpoint passes them', async () => {
    const lastEvent = scenario.canonical().at(-1)!;
    scenario.emptyBlocks(100);
    await produceRecords(harness.producer, scenario.drain());
    const lastBlock = lastEvent.blockNumber + 100;
    const status = await waitFor(
      async () => {
        const value = await chainStatus();
        return Number(value.processedBlock) === lastBlock ? value : undefined;
      },
      { description: `processedBlock ${lastBlock}, the last (empty) checkpointed block`, timeoutMs: 20_000 },
    );
    expect(Number(status.confirmed)).toBe(lastBlock);
    // The lag the gateway reports (head − processedBlock) is the confirmation depth only, not 102.
    expect(Number(status.head) - Number(status.processedBlock)).toBe(2);
  });

  it('leaves state, journal and publications unchanged when the same events are produced again', async () => {
    const before = new Map<string, unknown>();
    for (const address of contracts()) before.set(address, await harness.journal(address));
    const contractCount = harness.contractMessages.length;
    const accountCount = harness.accountMessages.length;
    await produceRecords(harness.producer, confirmedRecords());
    await harness.waitForCommitted();
    await expectProjectionExact();
    for (const address of contracts()) expect(await harness.journal(address)).toEqual(before.get(address));
    // Anything published for a duplicate would have arrived before the offsets were committed.
    expect(harness.contractMessages.length).toBe(contractCount);
    expect(harness.accountMessages.length).toBe(accountCount);
  });

  it('forwards pending events to the pending channel without touching state', async () => {
    const address = scenario.contracts.erc20;
    const subscriber = harness.redis.duplicate();
    const received: EventChannelMessage[] = [];
    subscriber.on('message', (_channel, raw) => received.push(JSON.parse(raw) as EventChannelMessage));
    await subscriber.subscribe(pendingChannel(setup.config.redis.keyPrefix, chainId, address));
    const pending: ChainEvent = makeEvent({
      chainId,
      address,
      blockNumber: 99_999,
      blockHash: `0x${'ab'.repeat(32)}`,
      logIndex: 0,
      eventName: 'Transfer',
      args: { from: '0x0000000000000000000000000000000000000000', to: `0x${'cd'.repeat(20)}`, value: '5' },
      status: 'PENDING',
    });
    const topic = topicNames(setup.config.kafka.topicPrefix).pending;
    const journalBefore = (await harness.journal(address)).length;
    await waitFor(
      async () => {
        await harness.producer.send({
          topic,
          messages: [{ key: eventKey(chainId, address), value: encodeEvent(pending) }],
        });
        return waitFor(() => received.length > 0, { description: 'pending message', timeoutMs: 3_000 }).catch(
          () => false,
        );
      },
      { description: 'a pending event on the pending channel', timeoutMs: 30_000 },
    );
    subscriber.disconnect();
    expect(received[0]).toEqual({ kind: 'event', event: pending, cursor: null });
    expect((await harness.journal(address)).length).toBe(journalBefore);
    await expectProjectionExact();
  });
});
