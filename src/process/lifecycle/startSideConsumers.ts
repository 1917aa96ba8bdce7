import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient } from '../../shared/redis.ts';
import { createCheckpointConsumer } from '../checkpoint-consumer/index.ts';
import { createDlq } from '../dlq/index.ts';
import { createPendingConsumer } from '../pending-consumer/index.ts';
import type { ProcessScripts } from '../scripts.ts';
import type { KafkaClients } from './connectKafka.ts';
import type { ProcessorSettings } from './processorSettings.ts';

const startGraceMs = 8_000;

/** The checkpoint and pending consumers of a processor, started in the background. */
export type SideConsumers = { stop(): Promise<void> };

/** Parameters of {@link startSideConsumers}. */
export type StartSideConsumersParameters = {
  settings: ProcessorSettings;
  clients: KafkaClients;
  redis: RedisClient & ProcessScripts;
  /** True once the processor is stopping (a start failure is then expected, not logged). */
  stopping: () => boolean;
  /** Consumer group of the processor's current epoch (undefined before it consumes). */
  processorGroup: () => string | undefined;
};

/**
 * Starts the checkpoint and pending consumers. They join their own groups in the background: a
 * rebalance there (e.g. a crashed instance still holding its session) must not delay applying
 * confirmed events.
 */
export function startSideConsumers({
  settings,
  clients,
  redis,
  stopping,
  processorGroup,
}: StartSideConsumersParameters): SideConsumers {
  const { topics, baseGroup, keyPrefix, logger } = settings;
  const dlq = createDlq({ producer: clients.producer, topic: topics.dlq });
  const consumers = [
    [
      'checkpoints',
      createCheckpointConsumer({
        kafka: clients.kafka,
        topic: topics.checkpoints,
        groupId: `${baseGroup}.checkpoints`,
        redis,
        keyPrefix,
        dlq,
        logger,
        sessionTimeoutMs: settings.sessionTimeoutMs,
        confirmedTopic: topics.confirmed,
        processorGroup,
      }),
    ],
    [
      'pending',
      createPendingConsumer({
        kafka: clients.kafka,
        topic: topics.pending,
        groupId: `${baseGroup}.pending`,
        redis,
        keyPrefix,
        dlq,
        logger,
        sessionTimeoutMs: settings.sessionTimeoutMs,
      }),
    ],
  ] as const;
  const starts = consumers.map(([name, consumer]) =>
    consumer.start().catch((error: unknown) => {
      if (!stopping()) logger.error({ msg: 'Side consumer failed to start', consumer: name, err: error });
    }),
  );
  return {
    async stop() {
      // A kafkajs consumer disconnected while it joins its group crashes and restarts itself, and its
      // disconnect then never completes: let a start in progress finish first (bounded).
      await Promise.all(
        starts.map((start) => Promise.race([start, sleep(startGraceMs, undefined, { ref: false })])),
      );
      await Promise.all(consumers.map(([, consumer]) => consumer.stop()));
    },
  };
}
