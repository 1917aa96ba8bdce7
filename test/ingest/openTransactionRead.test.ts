import type { Kafka, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointKey, eventMessageVersion, topicNames } from '../../src/domain/index.ts';
import { encodeIngestCheckpoint } from '../../src/ingest/checkpoint/ingestCheckpoint.ts';
import { readCheckpoint } from '../../src/ingest/checkpoint/readCheckpoint.ts';
import { fetchHighWatermarks } from '../../src/shared/fetchHighWatermarks.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';

const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;

function checkpointMessage(chainId: number, blockNumber: number) {
  return {
    key: checkpointKey(chainId),
    value: encodeIngestCheckpoint({
      v: eventMessageVersion,
      chainId,
      blockNumber,
      blockHash: hash(blockNumber),
      head: blockNumber,
      updatedAt: Date.now(),
    }),
  };
}

async function transactionalProducer(kafka: Kafka, transactionalId: string): Promise<Producer> {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  return producer;
}

/** Commits one checkpoint of `chainId` in its own transaction. */
async function commitCheckpoint(producer: Producer, topic: string, chainId: number, blockNumber: number) {
  const transaction = await producer.transaction();
  await transaction.send({ topic, messages: [checkpointMessage(chainId, blockNumber)] });
  await transaction.commit();
}

// The checkpoints topic is shared by every chain. An ingestor killed inside a transaction leaves it
// open until the broker times it out or the ingestor's restart fences it; meanwhile the partition's
// last stable offset stays at that transaction's first record.
describe('a read of a shared topic while another producer has a transaction open', () => {
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'open-transaction-test' });
  const producers: Producer[] = [];

  afterAll(async () => {
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => {})));
  });

  it('resumes a chain from its newest checkpoint, committed after another chain opened a transaction', async () => {
    const topic = topicNames(randomId('otx')).checkpoints;
    const admin = kafka.admin();
    await admin.connect();
    // One partition: both chains' checkpoints share it, as they may with any partition count.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const chainA = await transactionalProducer(kafka, randomId('chain-a'));
    const chainB = await transactionalProducer(kafka, randomId('chain-b'));
    producers.push(chainA, chainB);
    await commitCheckpoint(chainA, topic, 1, 5);

    // Chain B's ingestor dies inside a transaction: its checkpoint is written, never committed.
    const open = await chainB.transaction();
    await open.send({ topic, messages: [checkpointMessage(2, 40)] });
    // Chain A goes on, and its newest checkpoint lands after B's open record.
    await commitCheckpoint(chainA, topic, 1, 9);

    const [extent] = await fetchHighWatermarks(kafka, topic);
    const [stable] = await (async () => {
      const reader = kafka.admin();
      await reader.connect();
      try {
        return await reader.fetchTopicOffsets(topic);
      } finally {
        await reader.disconnect();
      }
    })();
    // The situation the read must handle: the stable offset stops at B's open record.
    expect(BigInt(stable!.high)).toBeLessThan(extent!.high);

    // Chain A's session restarts now and reads its checkpoint, while B's transaction is still open.
    const read = readCheckpoint({ kafka, topic, chainId: 1, groupId: randomId('cp') }).then((checkpoint) => ({
      checkpoint,
      readAt: Date.now(),
    }));
    const early = await Promise.race([read, new Promise((resolve) => setTimeout(resolve, 2_000, 'waiting'))]);
    // B's transaction ends: its restart fences it, or the broker times it out. Both abort it.
    const fencedAt = Date.now();
    await open.abort();
    const { checkpoint, readAt } = await read;

    expect(checkpoint?.blockNumber).toBe(9);
    // It waited for B's transaction instead of resuming from block 5.
    expect(early).toBe('waiting');
    expect(readAt).toBeGreaterThanOrEqual(fencedAt);
    expect(await readCheckpoint({ kafka, topic, chainId: 2, groupId: randomId('cp') })).toBeUndefined();
  });

  it('reads a partition whose first record belongs to another producer’s open transaction', async () => {
    const topic = topicNames(randomId('otx')).checkpoints;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const chainA = await transactionalProducer(kafka, randomId('chain-a'));
    const chainB = await transactionalProducer(kafka, randomId('chain-b'));
    producers.push(chainA, chainB);
    // The open transaction is the partition's first record: its stable offset equals its start.
    const open = await chainB.transaction();
    await open.send({ topic, messages: [checkpointMessage(2, 40)] });
    await commitCheckpoint(chainA, topic, 1, 3);

    const read = readCheckpoint({ kafka, topic, chainId: 1, groupId: randomId('cp') });
    const early = await Promise.race([read, new Promise((resolve) => setTimeout(resolve, 2_000, 'waiting'))]);
    await open.commit();
    expect(early).toBe('waiting');
    expect((await read)?.blockNumber).toBe(3);
    expect((await readCheckpoint({ kafka, topic, chainId: 2, groupId: randomId('cp') }))?.blockNumber).toBe(
      40,
    );
  });
});
