import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import {
  type ChainEvent,
  encodeEvent,
  encodeEventRecord,
  eventKey,
  topicNames,
} from '../../src/domain/index.ts';
import { dlqHeaders } from '../../src/process/dlq/index.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent, zeroAddress } from './support/events.ts';
import { expectProjectionsExact } from './support/expectExact.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { produceRecords } from './support/produce.ts';
import { createScenario, type Scenario } from './support/scenario.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;

type DeadLetter = { key: string | undefined; value: string | undefined; headers: Record<string, string> };

describe('process: poison messages', () => {
  let setup: TestConfig;
  let harness: Harness;
  let scenario: Scenario;
  let processor: Processor;

  beforeAll(async () => {
    const stack = getStack();
    const probe = createScenario({ chainId, topics: topicNames('unused'), seed: 11 });
    setup = createTestConfig({
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      chainId,
      kinds: probe.kinds,
    });
    scenario = createScenario({ chainId, topics: topicNames(setup.config.kafka.topicPrefix), seed: 11 });
    harness = await createHarness({ config: setup.config, chainId });
    processor = createProcessor({
      config: setup.config,
      instanceId: 'dlq',
      options: { sessionTimeoutMs: 8_000 },
    });
    await processor.start();
  });

  afterAll(async () => {
    await processor?.stop();
    await harness?.close();
  });

  it('sends each bad message to the DLQ with its reason and applies the events after it', async () => {
    const topics = topicNames(setup.config.kafka.topicPrefix);
    const { erc20 } = scenario.contracts;
    const key = eventKey(chainId, erc20);
    const valid: ChainEvent = makeEvent({
      chainId,
      address: erc20,
      blockNumber: 1,
      blockHash: `0x${'11'.repeat(32)}`,
      logIndex: 0,
      eventName: 'Transfer',
      args: { from: zeroAddress, to: `0x${'22'.repeat(20)}`, value: '1' },
    });
    const poison = [
      { key, value: 'not json {', reason: 'value is not JSON' },
      {
        key,
        value: JSON.stringify({ ...valid, blockHash: '0x12' }),
        reason: 'blockHash must be a 32-byte hex hash',
      },
      {
        key: eventKey(chainId, scenario.contracts.erc721),
        value: encodeEvent(valid),
        reason: `key must be ${key}`,
      },
      {
        key,
        value: encodeEvent({ ...valid, status: 'PENDING' }),
        reason: 'status must be CONFIRMED or REMOVED',
      },
      {
        key,
        value: encodeEvent({ ...valid, args: { ...valid.args, value: '-5' } }),
        reason: 'args.value must be a uint256',
      },
    ];
    scenario.blocks(30);
    const before = scenario.drain();
    scenario.blocks(30);
    const after = scenario.drain();
    await produceRecords(harness.producer, before);
    await harness.producer.send({
      topic: topics.confirmed,
      messages: poison.map(({ key: k, value }) => ({ key: k, value })),
    });
    await produceRecords(harness.producer, after);

    const letters: DeadLetter[] = [];
    const consumer = harness.kafka.consumer({ groupId: `${setup.config.process.groupId}-dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        );
        letters.push({ key: message.key?.toString(), value: message.value?.toString(), headers });
      },
    });
    try {
      await waitFor(() => letters.length >= poison.length, {
        description: 'dead letters',
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.disconnect();
    }
    expect(letters).toHaveLength(poison.length);
    // Partitions are consumed in parallel, so letters of different partitions may interleave.
    for (const bad of poison) {
      const letter = letters.find((candidate) => candidate.value === bad.value)!;
      expect(letter, bad.reason).toBeDefined();
      expect(letter.key).toBe(bad.key);
      expect(letter.headers[dlqHeaders.reason]).toContain(bad.reason);
      expect(letter.headers[dlqHeaders.sourceTopic]).toBe(topics.confirmed);
      expect(Number(letter.headers[dlqHeaders.sourceOffset])).toBeGreaterThanOrEqual(0);
      expect(letter.headers[dlqHeaders.sourcePartition]).toMatch(/^\d+$/);
    }

    const expectedEntries = [...before, ...after].filter(
      (record) => record.topic === topics.confirmed,
    ).length;
    await waitFor(async () => (await harness.appliedCount(Object.keys(scenario.kinds))) === expectedEntries, {
      description: 'every valid event applied',
      timeoutMs: 60_000,
    });
    await expectProjectionsExact({ harness, keyPrefix: setup.config.redis.keyPrefix, chainId, scenario });
  });

  it('dead-letters the one bad event of a packed record, with its index, and applies the others', async () => {
    const topics = topicNames(setup.config.kafka.topicPrefix);
    const { erc20 } = scenario.contracts;
    const key = eventKey(chainId, erc20);
    // Past every block of the scenario, so the events are new to the contract.
    const blockHash = `0x${'77'.repeat(32)}` as const;
    const events = [0, 1, 2].map((logIndex) =>
      makeEvent({
        chainId,
        address: erc20,
        blockNumber: 100_000,
        blockHash,
        logIndex,
        eventName: 'Transfer',
        args: { from: zeroAddress, to: `0x${'44'.repeat(20)}`, value: String(logIndex + 1) },
      }),
    );
    const bad = { ...events[1]!, args: { ...events[1]!.args, value: '-5' } };
    const values = [encodeEvent(events[0]!), encodeEvent(bad), encodeEvent(events[2]!)];
    await harness.producer.send({
      topic: topics.confirmed,
      messages: [{ key, value: encodeEventRecord(values) }],
    });

    const letters: DeadLetter[] = [];
    const consumer = harness.kafka.consumer({ groupId: `${setup.config.process.groupId}-dlq-packed-reader` });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(
          Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]),
        );
        letters.push({ key: message.key?.toString(), value: message.value?.toString(), headers });
      },
    });
    try {
      await waitFor(() => letters.some((letter) => letter.headers[dlqHeaders.sourceIndex] !== undefined), {
        description: 'the dead letter of the packed event',
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.disconnect();
    }
    const packed = letters.filter((letter) => letter.headers[dlqHeaders.sourceIndex] !== undefined);
    expect(packed).toHaveLength(1);
    // The letter holds the bad event alone, not the record whose other events were applied.
    expect(packed[0]!.value).toBe(values[1]);
    expect(packed[0]!.key).toBe(key);
    expect(packed[0]!.headers[dlqHeaders.sourceIndex]).toBe('1');
    expect(packed[0]!.headers[dlqHeaders.reason]).toContain('events[1] of a packed record');
    expect(packed[0]!.headers[dlqHeaders.reason]).toContain('args.value must be a uint256');

    await waitFor(
      async () => {
        const ids = (await harness.journal(erc20)).map((entry) => entry.id);
        return ids.includes(events[0]!.id) && ids.includes(events[2]!.id);
      },
      { description: 'the good events of the packed record applied', timeoutMs: 60_000 },
    );
    const journal = (await harness.journal(erc20)).map((entry) => entry.id);
    expect(journal.slice(-2)).toEqual([events[0]!.id, events[2]!.id]);
  });
});
