import type { Kafka } from 'kafkajs';
import { KafkaError } from './errors/index.ts';
import { isKafkaRetriable } from './isKafkaRetriable.ts';
import { withRetry } from './retry.ts';

/** One partition's extent: its log start offset and its high watermark. */
export type PartitionExtent = { partition: number; low: bigint; high: bigint };

/** The part of kafkajs's (internal) cluster this module uses. */
type ListOffsetsCluster = {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(
    topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[],
  ): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
};

const readUncommitted = 0;

/**
 * kafkajs's own cluster, created with READ_UNCOMMITTED. Its admin sends ListOffsets without an
 * isolation level, which kafkajs's request builder turns into READ_COMMITTED: the broker then answers
 * with the last stable offset, which stops before any transaction still open — another producer's
 * included — and so before every record committed after that transaction began.
 */
function createReadUncommittedCluster(kafka: Kafka): ListOffsetsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find(
    (candidate) => candidate.description === 'private:Kafka:createCluster',
  );
  const create = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof create !== 'function')
    throw new KafkaError(
      'This kafkajs version has no createCluster: high watermarks cannot be read (kafkajs 2.2 is required)',
    );
  return create({ allowAutoTopicCreation: false, isolationLevel: readUncommitted }) as ListOffsetsCluster;
}

/**
 * Each partition's log start offset and high watermark (the end of its log, open transactions
 * included), read with ListOffsets at READ_UNCOMMITTED. A read_committed consumer that must see every
 * record committed before now reads up to the high watermark; it gets there once the transactions
 * open below it have ended (committed, aborted or timed out).
 */
export async function fetchHighWatermarks(kafka: Kafka, topic: string): Promise<PartitionExtent[]> {
  const cluster = createReadUncommittedCluster(kafka);
  try {
    return await withRetry(
      async () => {
        await cluster.connect();
        await cluster.addTargetTopic(topic);
        await cluster.refreshMetadata();
        const partitions = cluster
          .findTopicPartitionMetadata(topic)
          .map(({ partitionId }) => ({ partition: partitionId }));
        if (partitions.length === 0) throw new KafkaError(`Topic ${topic} has no partitions`);
        const [high, low] = await Promise.all(
          [false, true].map((fromBeginning) =>
            cluster.fetchTopicsOffset([{ topic, fromBeginning, partitions }]),
          ),
        );
        const lows = new Map(
          (low?.[0]?.partitions ?? []).map(({ partition, offset }) => [partition, BigInt(offset)]),
        );
        return (high?.[0]?.partitions ?? []).map(({ partition, offset }) => ({
          partition,
          low: lows.get(partition) ?? 0n,
          high: BigInt(offset),
        }));
      },
      { retries: 6, initialDelayMs: 200, maxDelayMs: 3_000, shouldRetry: isKafkaRetriable },
    );
  } catch (error) {
    throw new KafkaError(`Could not read the high watermarks of ${topic}`, {
      retriable: isKafkaRetriable(error),
      cause: error,
    });
  } finally {
    await cluster.disconnect().catch(() => {});
  }
}
