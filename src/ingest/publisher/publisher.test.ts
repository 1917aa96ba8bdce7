import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { type ChainEvent, topicNames } from '../../domain/index.ts';
import { createPublisher } from './index.ts';

type Call = { op: string; topics: string[]; messages: number };

/**
 * A stand-in for kafkajs's transactional producer that records every operation of a transaction and
 * whether one started before the previous one finished (each send takes a few macrotasks, as a
 * broker round trip does).
 */
function fakeKafka() {
  const calls: Call[] = [];
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
  const transaction = () => ({
    send: ({ topic, messages }: { topic: string; messages: unknown[] }) =>
      record({ op: 'send', topics: [topic], messages: messages.length }),
    sendBatch: ({ topicMessages }: { topicMessages: { topic: string; messages: unknown[] }[] }) =>
      record({
        op: 'sendBatch',
        topics: topicMessages.map((entry) => entry.topic),
        messages: topicMessages.reduce((sum, entry) => sum + entry.messages.length, 0),
      }),
    commit: () => record({ op: 'commit', topics: [], messages: 0 }),
    abort: () => record({ op: 'abort', topics: [], messages: 0 }),
  });
  const producer = () => ({
    connect: async () => {},
    disconnect: async () => {},
    transaction: async () => transaction(),
    send: ({ topic, messages }: { topic: string; messages: unknown[] }) =>
      record({ op: 'send', topics: [topic], messages: messages.length }),
  });
  return { kafka: { producer } as unknown as Kafka, calls, overlaps: () => overlaps };
}

function event(logIndex: number): ChainEvent {
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
    address: `0x${'11'.repeat(20)}`,
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
    expect(sent.reduce((sum, call) => sum + call.messages, 0)).toBe(1_201);
    // The checkpoint is the last record of the transaction, and the commit comes after every send.
    expect(sent[sent.length - 1]!.topics.at(-1)).toBe(topics.checkpoints);
    expect(fake.calls.at(-1)!.op).toBe('commit');
  });
});
