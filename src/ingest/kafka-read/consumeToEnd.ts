import type { Kafka, KafkaMessage } from 'kafkajs';
import { KafkaError } from '../../shared/errors/index.ts';

/** Parameters of {@link consumeToEnd}. */
export type ConsumeToEndParameters = {
  kafka: Kafka;
  topic: string;
  /** Unique per read: nothing is committed, kafkajs only needs a group to consume. */
  groupId: string;
  onMessage: (message: KafkaMessage, partition: number) => void;
  timeoutMs?: number;
};

/**
 * Reads every committed record of a topic (read_committed) from the beginning up to each partition's
 * last stable offset, then stops. Call it after fencing older transactional producers, so no open
 * transaction holds the stable offset back.
 */
export async function consumeToEnd({
  kafka,
  topic,
  groupId,
  onMessage,
  timeoutMs = 120_000,
}: ConsumeToEndParameters): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    if (!(await admin.listTopics()).includes(topic)) return;
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(
      offsets
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)] as const),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return;

  const consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  const remaining = new Set(ends.keys());
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const advance = (partition: number, lastOffset: string | null | undefined) => {
    const end = ends.get(partition);
    if (end !== undefined && lastOffset != null && BigInt(lastOffset) + 1n >= end) {
      remaining.delete(partition);
      if (remaining.size === 0) finish();
    }
  };
  // END_BATCH_PROCESS also fires for batches holding only transaction markers, which end the log.
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
    advance(payload.partition, payload.lastOffset),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        if (!remaining.has(partition)) return;
        onMessage(message, partition);
        advance(partition, message.offset);
      },
    });
    await Promise.race([
      finished,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new KafkaError(`Reading ${topic} up to its end timed out after ${timeoutMs} ms`, {
                retriable: true,
              }),
            ),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    const cleanup = kafka.admin();
    await cleanup
      .connect()
      .then(() => cleanup.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => cleanup.disconnect().catch(() => {}));
  }
}
