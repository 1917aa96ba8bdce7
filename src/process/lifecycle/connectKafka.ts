import type { Admin, Kafka, Producer } from 'kafkajs';
import { abortable } from '../../shared/abortable.ts';
import type { Dependency } from '../../shared/dependency.ts';
import { KafkaError } from '../../shared/errors/index.ts';
import { isKafkaRetriable } from '../../shared/isKafkaRetriable.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../../shared/kafka.ts';
import { withRetry } from '../../shared/retry.ts';
import type { ProcessorSettings } from './processorSettings.ts';

/** The processor's Kafka clients, connected. */
export type KafkaClients = { kafka: Kafka; admin: Admin; producer: Producer };

/** Parameters of {@link connectKafka}. */
export type ConnectKafkaParameters = {
  settings: ProcessorSettings;
  /** Records whether Kafka answered, for readiness. */
  kafkaDependency: Dependency;
  signal: AbortSignal;
  /** Called once the first attempt succeeded or failed (start() waits for it, not for the retries). */
  onFirstAttempt?: () => void;
};

/**
 * Connects the admin and the DLQ producer and makes sure the topics exist, retrying while Kafka is
 * unreachable (readiness says so meanwhile) until `signal` aborts. An error kafkajs marks not
 * retriable (authentication, authorization, a bad config) is thrown as a `KafkaError`.
 */
export async function connectKafka({
  settings,
  kafkaDependency,
  signal,
  onFirstAttempt,
}: ConnectKafkaParameters): Promise<KafkaClients> {
  const { config, logger } = settings;
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: settings.kafkaClientId, logger });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await withRetry(
      async (attempt) => {
        try {
          const connecting = kafkaDependency.track(async () => {
            await admin.connect();
            // Topic metadata can lag right after creation (UNKNOWN_TOPIC_OR_PARTITION is retriable).
            await ensureTopics({ admin, topics: blockwireTopics(config.kafka) });
            await producer.connect();
          });
          await abortable(connecting, signal);
        } finally {
          if (attempt === 1) onFirstAttempt?.();
        }
      },
      {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 200,
        maxDelayMs: 10_000,
        shouldRetry: isKafkaRetriable,
        onRetry: (error, attempt, delayMs) =>
          logger.warn({ msg: 'Kafka is unreachable; retrying', attempt, delay_ms: delayMs, err: error }),
        signal,
      },
    );
  } catch (error) {
    await Promise.all([admin.disconnect().catch(() => {}), producer.disconnect().catch(() => {})]);
    if (signal.aborted) throw error;
    throw new KafkaError(
      `The processor cannot use Kafka at ${config.kafka.brokers.join(',')}: ${(error as Error).message}`,
      { cause: error, retriable: false },
    );
  }
  return { kafka, admin, producer };
}
