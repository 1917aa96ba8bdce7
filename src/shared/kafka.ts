import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { topicNames } from '../domain/index.ts';
import { createLogger } from './logger.ts';

/** Parameters of {@link createKafka}. */
export type CreateKafkaParameters = {
  brokers: string[];
  clientId?: string;
  logger?: Logger;
  /** Extra kafkajs options (retry, timeouts). */
  options?: Partial<KafkaConfig>;
};

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Whether a kafkajs log line reports a broker answer that is part of normal operation and that kafkajs
 * retries: the transaction coordinator completes a commit after answering EndTxn (it writes the
 * transaction markers then), and answers CONCURRENT_TRANSACTIONS to an AddPartitionsToTxn of the next
 * transaction that arrives meanwhile, so back-to-back transactions (a backfill) meet it often.
 * kafkajs logs the answer and its retry at error level; a send that still fails after the retries
 * reaches the caller as an error and is reported there.
 */
function isRetriedBrokerAnswer(entry: { message: string; error?: unknown }): boolean {
  const retryLine =
    entry.message.startsWith('Response AddPartitionsToTxn') ||
    entry.message.startsWith('Failed to send messages:');
  return (
    retryLine && /concurrent operation on the same transaction/i.test(`${entry.message} ${entry.error ?? ''}`)
  );
}

/** A kafkajs client whose log lines go through pino (one JSON object per line). */
export function createKafka({
  brokers,
  clientId = 'blockwire',
  logger,
  options,
}: CreateKafkaParameters): Kafka {
  const log = logger ?? createLogger('kafka');
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        const severity = isRetriedBrokerAnswer(entry) ? 'debug' : (levels[level] ?? 'info');
        log[severity]({ msg: message, ...rest });
      },
    ...options,
  });
}

/** Parameters of {@link ensureTopics}. */
export type EnsureTopicsParameters = {
  admin: Admin;
  topics: { topic: string; numPartitions: number; configEntries?: { name: string; value: string }[] }[];
};

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics({ admin, topics }: EnsureTopicsParameters): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    // Another instance may have created them concurrently.
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  }
}

/** Parameters of {@link blockwireTopics}. */
export type BlockwireTopicsParameters = { topicPrefix: string; partitions: number };

const pendingRetentionMs = 24 * 60 * 60 * 1000;

/**
 * The topics of one deployment with their settings: `events.confirmed` is the source of truth and is
 * kept forever, `events.pending` briefly, `checkpoints` is compacted (one record per chain). Every
 * role that may start first creates them from this one definition.
 */
export function blockwireTopics({
  topicPrefix,
  partitions,
}: BlockwireTopicsParameters): EnsureTopicsParameters['topics'] {
  const topics = topicNames(topicPrefix);
  return [
    {
      topic: topics.confirmed,
      numPartitions: partitions,
      configEntries: [{ name: 'retention.ms', value: '-1' }],
    },
    {
      topic: topics.pending,
      numPartitions: partitions,
      configEntries: [{ name: 'retention.ms', value: String(pendingRetentionMs) }],
    },
    {
      topic: topics.checkpoints,
      numPartitions: 1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    },
    { topic: topics.dlq, numPartitions: 1 },
  ];
}
