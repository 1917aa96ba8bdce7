import { type Consumer, Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';

describe('local Kafka', () => {
  const prefix = randomId();
  const topic = `${prefix}.events`;
  const kafka = new Kafka({ clientId: prefix, brokers: getStack().kafkaBrokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    producer = kafka.producer({
      idempotent: true,
      transactionalId: `${prefix}-tx`,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.allSettled(consumers.map((consumer) => consumer.disconnect()));
    await producer?.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  const consumeUntil = async (readUncommitted: boolean, last: string): Promise<string[]> => {
    const consumer = kafka.consumer({ groupId: randomId('g'), readUncommitted, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    // One partition: once the last committed message arrived, everything before it has too.
    await waitFor(() => values.includes(last), {
      description: `message ${last} on ${topic}`,
      timeoutMs: 60_000,
    });
    await consumer.disconnect();
    return values;
  };

  it('delivers committed transactions to a read_committed consumer and hides aborted ones', async () => {
    const send = async (values: string[], commit: boolean) => {
      const transaction = await producer.transaction();
      await transaction.send({ topic, messages: values.map((value) => ({ key: 'k', value })) });
      await (commit ? transaction.commit() : transaction.abort());
    };
    await send(['c1', 'c2', 'c3'], true);
    await send(['a1', 'a2'], false);
    await send(['c4'], true);

    expect(await consumeUntil(false, 'c4')).toEqual(['c1', 'c2', 'c3', 'c4']);
    // The aborted records were written to the log: a read_uncommitted consumer sees them.
    expect(await consumeUntil(true, 'c4')).toEqual(['c1', 'c2', 'c3', 'a1', 'a2', 'c4']);
  });
});
