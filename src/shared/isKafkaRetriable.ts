import { kafkaErrorCause } from './kafka.ts';

/**
 * Whether a failed Kafka operation may succeed when retried, by kafkajs's own `retriable` flag read
 * under its retry wrappers (see {@link kafkaErrorCause}): a refused connection is retriable;
 * authentication, authorization or a bad config is not. Errors that are not kafkajs errors (bugs)
 * are not retriable.
 */
export function isKafkaRetriable(error: unknown): boolean {
  return kafkaErrorCause(error)?.retriable ?? false;
}
