import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import { topicNames } from '../domain/index.ts';
import { useFastKafkaCrc32c } from './crc32c.ts';
import { useUnzeroedKafkaEncoderGrowth } from './kafkaEncoderGrowth.ts';
import { createKafkaLogSeverity } from './kafkaLogSeverity.ts';
import { useFastKafkaProduceEncoding } from './kafkaProduceEncoder.ts';
import { clampKafkaRequestQueueTimer } from './kafkaRequestQueueTimer.ts';
import { createLogger } from './logger.ts';

// Before any producer sends: kafkajs checksums each record batch in JavaScript, a byte at a time,
// and zero-fills every buffer its encoders grow into.
useFastKafkaCrc32c();
useUnzeroedKafkaEncoderGrowth();
useFastKafkaProduceEncoding();
clampKafkaRequestQueueTimer();

/** Parameters of {@link createKafka}. */
export type CreateKafkaParameters = {
  brokers: string[];
  clientId?: string;
  logger?: Logger;
  /** Extra kafkajs options (retry, timeouts). */
  options?: Partial<KafkaConfig>;
};

/**
 * A kafkajs client whose log lines go through pino, at the level {@link createKafkaLogSeverity} picks (the
 * retried warm-up answers of a fresh broker at debug).
 */
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
    logCreator: () => {
      const severityOf = createKafkaLogSeverity();
      return ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        log[severityOf(level, entry)]({ msg: message, ...rest });
      };
    },
    ...options,
  });
}

/** What a kafkajs error says about itself, read from the error that caused it. */
export type KafkaErrorCause = {
  /** Whether the operation may succeed when tried again (by a restarted session or consumer). */
  retriable: boolean;
  /** Kafka protocol error type, e.g. `TOPIC_AUTHORIZATION_FAILED`, when the broker answered one. */
  type: string | undefined;
  /** Message of the error that decided. */
  message: string;
};

/**
 * Error types kafkajs does not retry itself (`retriable: false`) but that a restart with a fresh
 * connection, producer or consumer resolves: a broker that is restarting, producer and consumer-group
 * state that expired or moved. Authentication, authorization, invalid topics or configs and oversized
 * messages are not among them: repeating those only repeats the refusal.
 */
const recoverableByRestart = new Set([
  'BROKER_NOT_AVAILABLE',
  'STALE_CONTROLLER_EPOCH',
  'STALE_BROKER_EPOCH',
  'REASSIGNMENT_IN_PROGRESS',
  'OFFSET_OUT_OF_RANGE',
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'MEMBER_ID_REQUIRED',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
  'INVALID_TXN_STATE',
  'PRODUCER_FENCED',
  'TRANSACTION_COORDINATOR_FENCED',
]);

type ErrorLike = {
  name?: unknown;
  message?: unknown;
  retriable?: unknown;
  type?: unknown;
  cause?: unknown;
  errors?: unknown;
};

const asErrorLike = (error: unknown): ErrorLike | undefined =>
  typeof error === 'object' && error !== null ? (error as ErrorLike) : undefined;

const isKafkaJsError = (error: ErrorLike): boolean =>
  typeof error.name === 'string' && error.name.startsWith('KafkaJS');

/**
 * Reads kafkajs's own verdict on an error: its `retriable` flag, taken from the original error under
 * kafkajs's retry wrappers (`KafkaJSNumberOfRetriesExceeded` wraps an error kafkajs gave up retrying,
 * `KafkaJSNonRetriableError` one it refused to retry) and under blockwire errors' `cause`. Returns
 * undefined when no kafkajs error is in the chain.
 */
export function kafkaErrorCause(error: unknown, depth = 0): KafkaErrorCause | undefined {
  const current = asErrorLike(error);
  if (!current || depth > 16) return undefined;
  if (!isKafkaJsError(current)) return kafkaErrorCause(current.cause, depth + 1);
  const message = String(current.message ?? '');
  if (current.name === 'KafkaJSAggregateError' && Array.isArray(current.errors)) {
    const causes = current.errors.map((inner) => kafkaErrorCause(inner, depth + 1));
    const refused = causes.find((cause) => cause && !cause.retriable);
    return refused ?? { retriable: true, type: causes.find(Boolean)?.type, message };
  }
  const inner = current.cause !== current ? asErrorLike(current.cause) : undefined;
  if (current.name === 'KafkaJSNumberOfRetriesExceeded') {
    // kafkajs only gives up this way on errors it considered retriable.
    return kafkaErrorCause(inner, depth + 1) ?? { retriable: true, type: undefined, message };
  }
  if (current.name === 'KafkaJSNonRetriableError' && inner) {
    return (
      kafkaErrorCause(inner, depth + 1) ?? {
        retriable: false,
        type: undefined,
        message: String(inner.message),
      }
    );
  }
  const type = typeof current.type === 'string' ? current.type : undefined;
  const retriable = current.retriable !== false || (type !== undefined && recoverableByRestart.has(type));
  return { retriable, type, message };
}

/** Parameters of {@link ensureTopics}. */
export type EnsureTopicsParameters = {
  admin: Admin;
  topics: {
    topic: string;
    numPartitions: number;
    replicationFactor?: number;
    configEntries?: { name: string; value: string }[];
  }[];
};

/** Errors of a partition whose leader the broker does not know yet, right after topic creation. */
const leaderNotReady = new Set([
  'NOT_LEADER_FOR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);
/** How long {@link ensureTopics} waits for the leaders of the topics it created to answer. */
const leaderWaitMs = 10_000;

/**
 * Waits until every partition of `topics` answers a ListOffsets request: `createTopics` with
 * `waitForLeaders` returns once the metadata names the leaders, but a KRaft broker may still answer
 * "not the leader" for a moment, which would fail the first request of whoever uses the topics
 * next. Gives up quietly after {@link leaderWaitMs} (the users retry anyway).
 */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + leaderWaitMs;
  for (const topic of topics) {
    for (let delayMs = 20; ; delayMs = Math.min(500, delayMs * 2)) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (error) {
        const type = (error as { type?: string }).type;
        if (!type || !leaderNotReady.has(type) || Date.now() + delayMs > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        // kafkajs does not refresh the metadata after "not the leader" on its own.
        await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => {});
      }
    }
  }
}

/**
 * Creates the topics that do not exist yet, and waits until their partition leaders answer;
 * existing topics are left as they are.
 */
export async function ensureTopics({ admin, topics }: EnsureTopicsParameters): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.topic));
  if (missing.length === 0) return;
  try {
    await admin.createTopics({ topics: missing, waitForLeaders: true });
  } catch (error) {
    const type = (error as { type?: string }).type;
    // Another instance may have created them concurrently. In a cluster, the broker that answers
    // kafkajs's wait for leaders may not know the new topics yet: they exist, and are waited for below.
    if (type !== 'TOPIC_ALREADY_EXISTS' && !(type && leaderNotReady.has(type))) throw error;
  }
  await waitForLeaders(
    admin,
    missing.map((topic) => topic.topic),
  );
}

/** Parameters of {@link blockwireTopics}. */
export type BlockwireTopicsParameters = {
  topicPrefix: string;
  partitions: number;
  /** Replicas of each topic. Default 1. */
  replicationFactor?: number;
  /** `min.insync.replicas` of each topic. Default 1. */
  minInsyncReplicas?: number;
};

const pendingRetentionMs = 24 * 60 * 60 * 1000;

/**
 * The topics of one deployment with their settings: `events.confirmed` is the source of truth and is
 * kept forever, `events.pending` briefly, `checkpoints` is compacted (one record per chain). Every
 * role that may start first creates them from this one definition.
 */
export function blockwireTopics({
  topicPrefix,
  partitions,
  replicationFactor = 1,
  minInsyncReplicas = 1,
}: BlockwireTopicsParameters): EnsureTopicsParameters['topics'] {
  const topics = topicNames(topicPrefix);
  const durability = [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }];
  return [
    {
      topic: topics.confirmed,
      numPartitions: partitions,
      configEntries: [{ name: 'retention.ms', value: '-1' }, ...durability],
    },
    {
      topic: topics.pending,
      numPartitions: partitions,
      configEntries: [{ name: 'retention.ms', value: String(pendingRetentionMs) }, ...durability],
    },
    {
      topic: topics.checkpoints,
      numPartitions: 1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }, ...durability],
    },
    { topic: topics.dlq, numPartitions: 1, configEntries: durability },
    {
      topic: topics.children,
      numPartitions: 1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }, ...durability],
    },
  ].map((topic) => ({ ...topic, replicationFactor }));
}
