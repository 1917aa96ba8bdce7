/**
 * Whether a failed Kafka operation may succeed when retried, by kafkajs's own `retriable` flag. A
 * `KafkaJSNumberOfRetriesExceeded` only says kafkajs gave up its own retries, so the error that
 * caused it decides (a refused connection is retriable; authentication or a bad config is not).
 * Errors that are not kafkajs errors (bugs) are not retriable.
 */
export function isKafkaRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, retriable, cause } = error as { name?: unknown; retriable?: unknown; cause?: unknown };
  if (name === 'KafkaJSNumberOfRetriesExceeded') return isKafkaRetriable(cause);
  if (typeof name !== 'string' || !name.startsWith('KafkaJS')) return false;
  return retriable === true;
}
