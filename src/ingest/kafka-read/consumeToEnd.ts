import type { Kafka, KafkaMessage } from 'kafkajs';
import { KafkaError } from '../../shared/errors/index.ts';
import { fetchHighWatermarks } from '../../shared/fetchHighWatermarks.ts';

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
 * Reads every record of a topic committed before the call (read_committed), from the beginning up to
 * each partition's high watermark at the call, then stops. A transaction still open below that mark —
 * another producer's, on a topic several producers share — holds the read back until it ends
 * (committed, aborted, or timed out by the broker): the records committed after it began are read
 * too, never skipped. Call it after fencing the caller's own older producers, so that no transaction
 * of theirs is left open.
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
  try {
    if (!(await admin.listTopics()).includes(topic)) return;
  } finally {
    await admin.disconnect();
  }
  const ends = new Map(
    (await fetchHighWatermarks(kafka, topic))
      .filter(({ low, high }) => high > low)
      .map(({ partition, high }) => [partition, high] as const),
  );
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
              new KafkaError(
                `Reading ${topic} up to its end timed out after ${timeoutMs} ms (partitions not reached: ${[...remaining].join(', ')}; a transaction left open by a crashed producer holds a read back until the broker times it out)`,
                {
                  retriable: true,
                },
              ),
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
