import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Kafka, Message } from 'kafkajs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChainEvent, decodeEventRecord, topicNames } from '../../domain/index.ts';
import { createTracing } from '../../shared/telemetry/createTracing.ts';
import { setActiveTracing } from '../../shared/telemetry/tracing.ts';
import {
  chunkByPartition,
  chunkMessages,
  createPublisher,
  type EncodedRecord,
  encodeForBackfill,
  encodeForKafka,
  packRecords,
  planSends,
  sendsByPartition,
} from './index.ts';

type Call = { op: string; topics: string[]; messages: number };

/**
 * A stand-in for kafkajs's transactional producer that records every operation of a transaction and
 * whether one started before the previous one finished (each send takes a few macrotasks, as a
 * broker round trip does).
 */
function fakeKafka(brokers = 1, maxMessageBytes?: number) {
  const calls: Call[] = [];
  const messages: { topic: string; message: Message }[] = [];
  const keep = (topic: string, sent: Message[]) => {
    for (const message of sent) messages.push({ topic, message });
  };
  let inFlight = 0;
  let overlaps = 0;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
  const record = async (call: Call) => {
    if (inFlight > 0) overlaps++;
    inFlight++;
    calls.push(call);
    await tick();
    await tick();
    inFlight--;
  };
  const send = ({ topic, messages: sent }: { topic: string; messages: Message[] }) => {
    keep(topic, sent);
    return record({ op: 'send', topics: [topic], messages: sent.length });
  };
  const sendBatch = ({ topicMessages }: { topicMessages: { topic: string; messages: Message[] }[] }) => {
    for (const entry of topicMessages) keep(entry.topic, entry.messages);
    return record({
      op: 'sendBatch',
      topics: topicMessages.map((entry) => entry.topic),
      messages: topicMessages.reduce((sum, entry) => sum + entry.messages.length, 0),
    });
  };
  const transaction = () => ({
    send,
    sendBatch,
    commit: () => record({ op: 'commit', topics: [], messages: 0 }),
    abort: () => record({ op: 'abort', topics: [], messages: 0 }),
  });
  const producer = () => ({
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => transaction(),
    send,
    sendBatch,
  });
  const admin = () => ({
    connect: async () => {},
    disconnect: async () => {},
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: [0, 1, 2].map((partitionId) => ({ partitionId })),
      })),
    }),
    ...(maxMessageBytes === undefined
      ? {}
      : {
          describeConfigs: async ({ resources }: { resources: { name: string }[] }) => ({
            resources: resources.map(({ name }) => ({
              resourceName: name,
              configEntries: [{ configName: 'max.message.bytes', configValue: String(maxMessageBytes) }],
            })),
          }),
        }),
    describeCluster: async () => ({
      brokers: Array.from({ length: brokers }, (_, nodeId) => ({ nodeId, host: 'h', port: nodeId })),
    }),
  });
  return { kafka: { producer, admin } as unknown as Kafka, calls, messages, overlaps: () => overlaps };
}

/** The events of Kafka messages (packed records unpacked), in message order. */
function eventsOf(messages: { message: Message }[]): ChainEvent[] {
  return messages.flatMap(({ message }) => {
    const decoded = decodeEventRecord(String(message.value));
    if (!decoded.ok) throw new Error(decoded.reason);
    return decoded.value;
  });
}

function event(logIndex: number, address = `0x${'11'.repeat(20)}`): ChainEvent {
  const blockHash = `0x${'ab'.repeat(32)}` as const;
  return {
    v: 1,
    id: `1:${blockHash}:${logIndex}`,
    status: 'CONFIRMED',
    chainId: 1,
    blockNumber: 10,
    blockHash,
    blockTimestamp: 1,
    transactionHash: `0x${'cd'.repeat(32)}`,
    transactionIndex: 0,
    logIndex,
    address: address as `0x${string}`,
    eventName: null,
    signature: null,
    decoded: false,
    args: {},
    topics: [],
    data: '0x',
  };
}

describe('publisher', () => {
  it('sends the events and the checkpoint of one transaction one after another, then commits', async () => {
    const fake = fakeKafka();
    const topics = topicNames('t');
    const publisher = createPublisher({
      kafka: fake.kafka,
      topics,
      chainId: 1,
      transactionalId: 'tx',
      logger: pino({ level: 'silent' }),
    });
    await publisher.connect();
    fake.calls.length = 0;
    await publisher.publishConfirmed({
      events: Array.from({ length: 1_200 }, (_, i) => event(i)),
      checkpoint: {
        v: 1,
        chainId: 1,
        blockNumber: 10,
        blockHash: `0x${'ab'.repeat(32)}`,
        head: 12,
        updatedAt: 0,
      },
    });
    expect(fake.overlaps()).toBe(0);
    const sent = fake.calls.filter((call) => call.op !== 'commit');
    // 1,200 events of one contract in records of 100 (the default), and the checkpoint.
    expect(sent.reduce((sum, call) => sum + call.messages, 0)).toBe(13);
    const confirmed = fake.messages.filter((entry) => entry.topic === topics.confirmed);
    expect(eventsOf(confirmed).map((decoded) => decoded.logIndex)).toEqual(
      Array.from({ length: 1_200 }, (_, i) => i),
    );
    // The checkpoint is the last record of the transaction, and the commit comes after every send.
    expect(sent[sent.length - 1]!.topics.at(-1)).toBe(topics.checkpoints);
    expect(fake.calls.at(-1)!.op).toBe('commit');
  });

  it('with several brokers, sends each partition on its own, so kafkajs never retries a send that reached several brokers', async () => {
    const fake = fakeKafka(3);
    const topics = topicNames('t');
    const publisher = createPublisher({
      kafka: fake.kafka,
      topics,
      chainId: 1,
      transactionalId: 'tx',
      logger: pino({ level: 'silent' }),
    });
    await publisher.connect();
    const addresses = Array.from({ length: 12 }, (_, i) => `0x${String(i + 10).repeat(20)}`);
    // 12 contracts over 3 partitions, in chain order: contract i's event j has log index 12 j + i.
    const events = Array.from({ length: 1_200 }, (_, i) => event(i, addresses[i % 12]));
    await publisher.publishConfirmed({
      events,
      checkpoint: {
        v: 1,
        chainId: 1,
        blockNumber: 10,
        blockHash: `0x${'ab'.repeat(32)}`,
        head: 12,
        updatedAt: 0,
      },
    });
    const confirmed = fake.messages.filter((entry) => entry.topic === topics.confirmed);
    expect(eventsOf(confirmed)).toHaveLength(1_200);
    // Every send went to one partition, and every message names it.
    const sends = fake.calls.filter((call) => call.op === 'sendBatch');
    expect(sends.every((call) => call.topics.length === 1 && call.messages <= 1_000)).toBe(true);
    let offset = 0;
    const partitionsUsed = new Set<number>();
    for (const call of sends.filter((entry) => entry.topics[0] === topics.confirmed)) {
      const partitions = new Set(
        confirmed.slice(offset, offset + call.messages).map((e) => e.message.partition),
      );
      expect(partitions.size).toBe(1);
      partitionsUsed.add([...partitions][0]!);
      offset += call.messages;
    }
    expect(partitionsUsed.size).toBeGreaterThan(1);
    // Within each contract, the events keep their chain order.
    for (const address of addresses) {
      const order = eventsOf(confirmed)
        .filter((decoded) => decoded.address === address)
        .map((decoded) => decoded.logIndex);
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(fake.calls.at(-1)!.op).toBe('commit');
  });

  describe('trace context', () => {
    const checkpoint = {
      v: 1 as const,
      chainId: 1,
      blockNumber: 10,
      blockHash: `0x${'ab'.repeat(32)}` as const,
      head: 12,
      updatedAt: 0,
    };
    const start = async () => {
      const fake = fakeKafka();
      const topics = topicNames('t');
      const publisher = createPublisher({
        kafka: fake.kafka,
        topics,
        chainId: 1,
        transactionalId: 'tx',
        logger: pino({ level: 'silent' }),
      });
      await publisher.connect();
      return { fake, topics, publisher };
    };
    afterEach(() => setActiveTracing(undefined));

    it('puts the W3C trace context of its publish span in the Kafka headers of every event', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      setActiveTracing(createTracing(provider.getTracer('unit')));
      const { fake, topics, publisher } = await start();
      await publisher.publishConfirmed({ events: [event(0), event(1), event(2)], checkpoint });

      const [span] = exporter.getFinishedSpans();
      expect(exporter.getFinishedSpans()).toHaveLength(1);
      expect(span!.name).toBe('blockwire.ingest.publish');
      expect(span!.attributes).toMatchObject({
        'blockwire.role': 'ingest',
        'blockwire.chain_id': 1,
        'blockwire.block_number': 10,
        'blockwire.event_count': 3,
        'messaging.destination.name': topics.confirmed,
      });
      const { traceId, spanId } = span!.spanContext();
      const records = fake.messages.filter((entry) => entry.topic === topics.confirmed);
      expect(eventsOf(records)).toHaveLength(3);
      for (const { message } of records) {
        const traceparent = String(message.headers?.traceparent);
        expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
        expect(traceparent).toBe(`00-${traceId}-${spanId}-01`);
      }
    });

    it('sends events without headers when tracing is off', async () => {
      const { fake, topics, publisher } = await start();
      await publisher.publishConfirmed({ events: [event(0)], checkpoint });
      await publisher.publishPending([{ ...event(1), status: 'PENDING' }]);
      const events = fake.messages.filter((entry) => entry.topic !== topics.checkpoints);
      expect(events).toHaveLength(2);
      expect(events.every(({ message }) => message.headers === undefined)).toBe(true);
    });
  });

  it("keeps every send under the topics' max.message.bytes", async () => {
    const fake = fakeKafka(1, 50_000);
    const topics = topicNames('t');
    const publisher = createPublisher({
      kafka: fake.kafka,
      topics,
      chainId: 1,
      transactionalId: 'tx',
      logger: pino({ level: 'silent' }),
    });
    await publisher.connect();
    fake.calls.length = 0;
    const events = Array.from({ length: 1_200 }, (_, i) => event(i));
    await publisher.publishConfirmed({
      events,
      checkpoint: {
        v: 1,
        chainId: 1,
        blockNumber: 10,
        blockHash: `0x${'ab'.repeat(32)}`,
        head: 12,
        updatedAt: 0,
      },
    });
    const sends = fake.calls.filter((call) => call.op === 'sendBatch');
    let offset = 0;
    for (const call of sends) {
      const sent = fake.messages.slice(offset, offset + call.messages);
      offset += call.messages;
      const bytes = sent.reduce(
        (sum, { message }) =>
          sum + Buffer.byteLength(String(message.key)) + Buffer.byteLength(String(message.value)) + 24,
        0,
      );
      expect(bytes).toBeLessThanOrEqual(50_000);
    }
    const confirmed = fake.messages.filter((entry) => entry.topic === topics.confirmed);
    // Records are cut by bytes before they reach 100 events.
    expect(confirmed.length).toBeGreaterThan(12);
    expect(eventsOf(confirmed).map((decoded) => decoded.logIndex)).toEqual(events.map((e) => e.logIndex));
  });

  describe('packRecords', () => {
    const a = `0x${'aa'.repeat(20)}`;
    const b = `0x${'bb'.repeat(20)}`;
    // Contracts a and b interleaved in chain order.
    const events = Array.from({ length: 250 }, (_, i) => encodeForKafka(event(i, i % 2 === 0 ? a : b)));

    it("packs each contract's events in their order, at most eventsPerRecord per record", () => {
      const records = packRecords(events, 100);
      expect(records.map((record) => record.key)).toEqual([`1:${a}`, `1:${a}`, `1:${b}`, `1:${b}`]);
      const unpacked = records.map((record) => {
        const decoded = decodeEventRecord(record.value);
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.value.map((e) => e.logIndex);
      });
      expect(unpacked.map((list) => list.length)).toEqual([100, 25, 100, 25]);
      expect(unpacked.slice(0, 2).flat()).toEqual(events.filter((_, i) => i % 2 === 0).map((_, i) => 2 * i));
      expect(unpacked.slice(2).flat()).toEqual(events.filter((_, i) => i % 2 === 1).map((_, i) => 2 * i + 1));
      // Several events: a packed (v 2) record; the lone event of a contract: its own v 1 message.
      expect(JSON.parse(String(records[0]!.value)).v).toBe(2);
      const [lone] = packRecords([events[0]!], 100);
      expect(lone).toEqual({ key: events[0]!.key, value: events[0]!.value });
    });

    it('halves a record that multi-byte characters take over the byte limit', () => {
      const wide = Array.from({ length: 10 }, (_, i) =>
        encodeForKafka({ ...event(i, a), args: { note: 'é'.repeat(400) } }),
      );
      const characters = wide[0]!.value.length;
      // Ten events fit by characters, not by bytes.
      const maxBytes = 10 * characters + 20;
      const records = packRecords(wide, 100, { records: 1_000, bytes: 1_024 + maxBytes });
      expect(records.length).toBeGreaterThan(1);
      for (const record of records) expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(maxBytes);
      const unpacked = records.flatMap((record) => {
        const decoded = decodeEventRecord(record.value);
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.value.map((e) => e.logIndex);
      });
      expect(unpacked).toEqual(wide.map((_, i) => i));
    });

    it("packs a backfill's events, held as UTF-8 bytes, into the bytes of the same records", () => {
      const asBytes = (records: EncodedRecord[]) =>
        records.map((record) => ({ key: record.key, value: Buffer.from(record.value) }));
      const held = Array.from({ length: 250 }, (_, i) => encodeForBackfill(event(i, i % 2 === 0 ? a : b)));
      expect(held.every((e) => Buffer.isBuffer(e.value))).toBe(true);
      for (const perRecord of [1, 7, 100])
        expect(asBytes(packRecords(held, perRecord)), `${perRecord} per record`).toEqual(
          asBytes(packRecords(events, perRecord)),
        );
      // Bytes are what the limit counts: multi-byte text is cut exactly at it.
      const wide = Array.from({ length: 10 }, (_, i) =>
        encodeForBackfill({ ...event(i, a), args: { note: 'é'.repeat(400) } }),
      );
      const maxBytes = 3 * wide[0]!.value.length + 40;
      const records = packRecords(wide, 100, { records: 1_000, bytes: 1_024 + maxBytes });
      for (const record of records) expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(maxBytes);
      const unpacked = records.flatMap((record) => {
        const decoded = decodeEventRecord(record.value);
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.value.map((e) => e.logIndex);
      });
      expect(unpacked).toEqual(wide.map((_, i) => i));
    });

    it('writes every event as its own v 1 message with eventsPerRecord 1', () => {
      const records = packRecords(events, 1);
      expect(records).toEqual(events.map((e) => ({ key: e.key, value: e.value })));
    });

    it("cuts records under the send limit's bytes, and leaves an event over it alone", () => {
      const size = Buffer.byteLength(events[0]!.value);
      const records = packRecords(events, 1_000, { records: 1_000, bytes: 1_024 + 10 * size });
      for (const record of records) expect(Buffer.byteLength(record.value)).toBeLessThan(10 * size + 100);
      expect(records.length).toBeGreaterThanOrEqual(Math.ceil(125 / 10) * 2);
      const huge = encodeForKafka({ ...event(999, a), data: `0x${'ff'.repeat(20_000)}` });
      const withHuge = packRecords([events[0]!, huge, events[2]!], 1_000, { records: 1_000, bytes: 10_000 });
      expect(withHuge.map((record) => record.value)).toEqual([
        events[0]!.value,
        huge.value,
        events[2]!.value,
      ]);
    });
  });

  describe('planSends', () => {
    const messages = Array.from({ length: 2_100 }, (_, i) => ({
      key: `1:0x${String(i % 7).repeat(40)}`,
      value: `${i}`,
    }));
    const checkpoint = { topic: 'cp', messages: [{ key: '1', value: 'c', partition: 0 }] };

    it("with one broker: chunks across partitions within each partition's limits, the checkpoint in the last one", () => {
      const plan = planSends('ev', messages, { brokers: 1, partitions: 3 }, checkpoint);
      // 2,100 messages over three partitions: a send takes up to 1,000 of each partition.
      expect(plan.length).toBeLessThan(3);
      expect(plan.at(-1)!.at(-1)).toEqual(checkpoint);
      expect(plan.flatMap((send) => send[0]!.messages)).toEqual(messages);
      const partitionOf = new Map(
        sendsByPartition('ev', 3, messages).flatMap((send) =>
          send.messages.map((m) => [m.value, m.partition]),
        ),
      );
      for (const send of plan) {
        const counts = new Map<number, number>();
        for (const message of send[0]!.messages) {
          const partition = partitionOf.get(message.value)!;
          counts.set(partition, (counts.get(partition) ?? 0) + 1);
        }
        expect(Math.max(...counts.values())).toBeLessThanOrEqual(1_000);
      }
    });

    it('with one broker: keeps each partition of a send under the byte limit', () => {
      const limits = { records: 1_000, bytes: 2_000 };
      const chunks = chunkByPartition('ev', 3, messages, limits);
      expect(chunks.flat()).toEqual(messages);
      const partitionOf = new Map(
        sendsByPartition('ev', 3, messages).flatMap((send) =>
          send.messages.map((m) => [m.value, m.partition]),
        ),
      );
      for (const chunk of chunks) {
        const bytes = new Map<number, number>();
        for (const message of chunk) {
          const partition = partitionOf.get(message.value)!;
          bytes.set(partition, (bytes.get(partition) ?? 0) + message.key.length + message.value.length + 24);
        }
        expect(Math.max(...bytes.values())).toBeLessThanOrEqual(2_000);
      }
      // More than 2,000 bytes per send: the partitions' limits add up.
      expect(chunks.length).toBeLessThan(Math.ceil((2_100 * (42 + 3 + 24)) / 2_000));
    });

    it('with several brokers: one partition per send, the checkpoint alone and last', () => {
      const plan = planSends('ev', messages, { brokers: 3, partitions: 3 }, checkpoint);
      expect(plan.at(-1)).toEqual([checkpoint]);
      for (const send of plan.slice(0, -1)) {
        expect(send).toHaveLength(1);
        expect(new Set(send[0]!.messages.map((message) => message.partition)).size).toBe(1);
        expect(send[0]!.messages.length).toBeLessThanOrEqual(1_000);
      }
      expect(plan.slice(0, -1).reduce((sum, send) => sum + send[0]!.messages.length, 0)).toBe(2_100);
    });

    it('keeps each send under the byte limit, counting UTF-8 bytes, in order', () => {
      const value = (i: number) => `${'é'.repeat(100)}${i}`; // 200 bytes and more, 101 characters and more
      const large = Array.from({ length: 30 }, (_, i) => ({ key: 'k', value: value(i) }));
      const chunks = chunkMessages(large, { records: 1_000, bytes: 1_000 });
      expect(chunks.flat().map((message) => message.value)).toEqual(large.map((message) => message.value));
      for (const chunk of chunks) {
        const bytes = chunk.reduce((sum, message) => sum + Buffer.byteLength(message.value) + 1 + 24, 0);
        expect(bytes).toBeLessThanOrEqual(1_000);
      }
      expect(chunks.length).toBeGreaterThan(1);
      // A message larger than the limit goes alone.
      const huge = { key: 'k', value: 'x'.repeat(5_000) };
      expect(chunkMessages([large[0]!, huge, large[1]!], { records: 1_000, bytes: 1_000 })).toEqual([
        [large[0]],
        [huge],
        [large[1]],
      ]);
    });

    it('counts headers (trace context) in the byte limit', () => {
      const headers = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
      const traced = Array.from({ length: 100 }, (_, i) => ({ key: 'k', value: `${i}`, headers }));
      const chunks = chunkMessages(traced, { records: 1_000, bytes: 1_000 });
      // 1 + up to 2 + 11 + 55 + 2 + 24 bytes each: about 10 per chunk, where without headers 36 would fit.
      expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(11);
      expect(chunks.flat()).toHaveLength(100);
    });

    it("with several brokers, cuts a partition's messages under the byte limit too", () => {
      const limits = { records: 1_000, bytes: 2_000 };
      const plan = planSends('ev', messages, { brokers: 3, partitions: 3, limits });
      for (const [send] of plan) {
        const bytes = send!.messages.reduce(
          (sum, message) => sum + String(message.key).length + String(message.value).length + 24,
          0,
        );
        expect(bytes).toBeLessThanOrEqual(2_000);
      }
      expect(plan.reduce((sum, [send]) => sum + send!.messages.length, 0)).toBe(2_100);
    });
  });
});
