import type { Kafka, Producer } from 'kafkajs';
import { encodeEventRecord, topicNames } from '../../../src/domain/index.ts';
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

/**
 * Packs the `events.confirmed` records of `records` as the ingestor does: each contract's events in
 * their order, at most `eventsPerRecord` per record (a lone event stays its own v1 message).
 */
export function packConfirmed(records: readonly TestRecord[], eventsPerRecord: number): TestRecord[] {
  const packed: TestRecord[] = [];
  const byKey = new Map<string, TestRecord[]>();
  for (const record of records) {
    if (!record.topic.endsWith('.events.confirmed')) {
      packed.push(record);
      continue;
    }
    const list = byKey.get(record.key);
    if (list) list.push(record);
    else byKey.set(record.key, [record]);
  }
  for (const list of byKey.values())
    for (let i = 0; i < list.length; i += eventsPerRecord) {
      const pack = list.slice(i, i + eventsPerRecord);
      packed.push({ ...pack[0]!, value: encodeEventRecord(pack.map((record) => record.value)) });
    }
  return packed;
}

/**
 * Produces records in order (plain idempotent producer, outside any transaction), in chunks; with
 * `eventsPerRecord` above 1, each chunk's `events.confirmed` records are packed ({@link packConfirmed}).
 */
export async function produceRecords(
  producer: Producer,
  records: TestRecord[],
  chunk = 2_000,
  eventsPerRecord = 1,
): Promise<void> {
  for (let start = 0; start < records.length; start += chunk) {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    const slice = records.slice(start, start + chunk);
    for (const { topic, key, value } of eventsPerRecord > 1 ? packConfirmed(slice, eventsPerRecord) : slice) {
      const list = byTopic.get(topic);
      if (list) list.push({ key, value });
      else byTopic.set(topic, [{ key, value }]);
    }
    await producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
}
