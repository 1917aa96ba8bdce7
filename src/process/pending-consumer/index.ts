import type { Redis } from 'ioredis';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { type EventChannelMessage, pendingChannel } from '../../domain/index.ts';
import type { DeadLetter, Dlq } from '../dlq/index.ts';
import { execUntilAcknowledged } from '../execUntilAcknowledged.ts';
import { validateMessage } from '../validateMessage.ts';

/** Forwards `events.pending` to the pending channels without touching state. */
export type PendingConsumer = { start(): Promise<void>; stop(): Promise<void> };

/** Parameters of {@link createPendingConsumer}. */
export type CreatePendingConsumerParameters = {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redis: Redis;
  keyPrefix: string;
  dlq: Dlq;
  logger: Logger;
  /** Kafka consumer session timeout in ms (`process.sessionTimeoutMs`). Default 10000. */
  sessionTimeoutMs?: number;
};

const statuses = ['PENDING', 'REMOVED'] as const;

/**
 * Creates the pending forwarder. Pending events are a preview: it starts at the latest offset and a
 * redelivery after a crash may publish a pending event twice (subscribers key them by id).
 */
export function createPendingConsumer({
  kafka,
  topic,
  groupId,
  redis,
  keyPrefix,
  dlq,
  logger,
  sessionTimeoutMs = 10_000,
}: CreatePendingConsumerParameters): PendingConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
  });
  let running = true;
  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        eachBatch: async ({ batch, heartbeat }) => {
          const publishes: [string, string][] = [];
          const dead: DeadLetter[] = [];
          for (const message of batch.messages) {
            const valid = validateMessage({ key: message.key, value: message.value, statuses });
            if (!valid.ok) {
              dead.push({ message, topic, partition: batch.partition, reason: valid.reason });
              continue;
            }
            const { event } = valid;
            const channelMessage: EventChannelMessage = { kind: 'event', event, cursor: null };
            publishes.push([
              pendingChannel(keyPrefix, event.chainId, event.address),
              JSON.stringify(channelMessage),
            ]);
          }
          if (publishes.length > 0) {
            await execUntilAcknowledged({
              build: () => {
                const pipeline = redis.pipeline();
                for (const [channel, message] of publishes) pipeline.publish(channel, message);
                return pipeline;
              },
              running: () => running,
              heartbeat,
              logger,
              what: 'publish pending events',
            });
          }
          await dlq.send(dead);
        },
      });
    },
    async stop() {
      running = false;
      await consumer.disconnect().catch(() => {});
    },
  };
}
