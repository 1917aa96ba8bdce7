import { logLevel } from 'kafkajs';

/** The pino level a kafkajs log line is written at. */
export type KafkaLogSeverity = 'error' | 'warn' | 'info' | 'debug';

/** A kafkajs log entry, as its logCreator receives it. */
export type KafkaLogEntry = { message: string; error?: unknown; [key: string]: unknown };

const levels: Record<number, KafkaLogSeverity> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Broker answers that are part of normal operation and that kafkajs retries by itself. On a fresh
 * broker the group and transaction coordinators load their internal topics (GROUP_LOAD_IN_PROGRESS,
 * GROUP_COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR_FOR_GROUP), new topics elect their leaders
 * (LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION, UNKNOWN_TOPIC_OR_PARTITION while metadata catches
 * up, NOT_CONTROLLER), and the transaction coordinator answers CONCURRENT_TRANSACTIONS to the next
 * transaction while it still writes the markers of the previous one (back-to-back transactions, a
 * backfill, meet it often). kafkajs logs each answer at error level before retrying; an operation
 * that still fails after the retries reaches its caller as an error and is reported there.
 */
const retriedAnswers = [
  /The coordinator is loading/i,
  /The group coordinator is not available/i,
  /This is not the correct coordinator/i,
  /There is no leader for this topic-partition/i,
  /This server is not the leader for that topic-partition/i,
  /This server does not host this topic-partition/i,
  /This is not the correct controller for this cluster/i,
  /concurrent operation on the same transaction/i,
];

/** kafkajs lines that describe normal operation at warn level. */
const routineWarnings = [
  // A consumer joining or leaving the group makes the others re-join: the rebalance protocol at work.
  /^The group is rebalancing, re-joining/,
  // The partitioner changed in kafkajs 2.0.0; blockwire was written for the new one (keys are hashed
  // like the Java client does).
  /^KafkaJS v2\.0\.0 switched default partitioner/,
];

/**
 * The pino level of a kafkajs log line: kafkajs's own level, except that broker answers kafkajs
 * retries as part of normal operation (coordinator and leader warm-up on a fresh broker, concurrent
 * transactions) and routine warnings go to debug, so a healthy start prints no error-level line.
 * Everything else (refused connections, authentication, crashes) keeps its level.
 */
export function kafkaLogSeverity(level: number, entry: KafkaLogEntry): KafkaLogSeverity {
  const severity = levels[level] ?? 'info';
  if (severity !== 'error' && severity !== 'warn') return severity;
  const text = `${entry.message} ${entry.error === undefined ? '' : String(entry.error)}`;
  if (retriedAnswers.some((pattern) => pattern.test(text))) return 'debug';
  if (severity === 'warn' && routineWarnings.some((pattern) => pattern.test(entry.message))) return 'debug';
  return severity;
}

/**
 * {@link kafkaLogSeverity} for one client, which also knows what a consumer restart follows: kafkajs
 * logs a crashed consumer's "Crash: …" line, then "Restarting the consumer in …ms" at error level
 * without the cause. After a crash on a retried answer (a new topic's leader still being elected),
 * the restart is routine too, and is written at warn.
 */
export function createKafkaLogSeverity(): (level: number, entry: KafkaLogEntry) => KafkaLogSeverity {
  const routineCrashes = new Set<unknown>();
  return (level, entry) => {
    const severity = kafkaLogSeverity(level, entry);
    if (entry.message.startsWith('Crash: ')) {
      if (severity === 'debug') routineCrashes.add(entry.groupId);
      else routineCrashes.delete(entry.groupId);
      return severity;
    }
    if (
      severity === 'error' &&
      entry.message.startsWith('Restarting the consumer') &&
      routineCrashes.delete(entry.groupId)
    )
      return 'warn';
    return severity;
  };
}
