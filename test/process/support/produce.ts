import type { Kafka, Producer } from 'kafkajs';
import { topicNames } from '../../../src/domain/index.ts';
import type { ResolvedConfig } from '../../../src/shared/config/index.ts';
import { ensureTopics } from '../../../src/shared/kafka.ts';
import { withRetry } from '../../../src/shared/retry.ts';
import type { TestRecord } from './scenario.ts';

/** Creates the four topics the way the processor does, so records can be produced before it starts. */
export async function createTopics(kafka: Kafka, config: ResolvedConfig): Promise<void> {
  const topics = topicNames(config.kafka.topicPrefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await withRetry(
      () =>
        ensureTopics({
          admin,
          topics: [
            { topic: topics.confirmed, numPartitions: config.kafka.partitions },
            { topic: topics.pending, numPartitions: config.kafka.partitions },
            { topic: topics.checkpoints, numPartitions: 1 },
            { topic: topics.dlq, numPartitions: 1 },
            { topic: topics.children, numPartitions: 1 },
          ],
        }),
      { retries: 10, initialDelayMs: 200, shouldRetry: () => true },
    );
    // Wait until every topic's partitions have leaders before producing.
    for (const topic of Object.values(topics))
      await withRetry(() => admin.fetchTopicOffsets(topic), {
        retries: 20,
        initialDelayMs: 200,
        shouldRetry: () => true,
      });
  } finally {
    await admin.disconnect();
  }
}

/** Produces records in order (plain idempotent producer, outside any transaction), in chunks. */
export async function produceRecords(
  producer: Producer,
  records: TestRecord[],
  chunk = 2_000,
): Promise<void> {
  for (let start = 0; start < records.length; start += chunk) {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const { topic, key, value } of records.slice(start, start + chunk)) {
      const list = byTopic.get(topic);
      if (list) list.push({ key, value });
      else byTopic.set(topic, [{ key, value }]);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}
