import { KafkaError } from '../../shared/errors/index.ts';
import { kafkaErrorCause } from '../../shared/kafka.ts';

// A newer producer with the same transactional id took over: this session ends, the chain loop
// re-reads the checkpoint (and the chain lock decides who publishes).
const fencedTypes = new Set(['INVALID_PRODUCER_EPOCH', 'PRODUCER_FENCED']);

/**
 * Converts a producer failure at the boundary. Broker and network trouble stays retriable (the session
 * restarts from the committed checkpoint, so a retry never duplicates); what kafkajs marks not
 * retriable (authentication, authorization, invalid topic or config, oversized message) stops the
 * chain with the broker's reason instead of restarting forever.
 */
export function toKafkaError(error: unknown, action: string): KafkaError {
  const cause = kafkaErrorCause(error);
  const type = cause?.type;
  if (type && fencedTypes.has(type)) {
    return new KafkaError(`${action}: this ingestor was fenced by a newer one (${type})`, {
      code: 'KAFKA_FENCED',
      retriable: true,
      cause: error,
    });
  }
  // Not a kafkajs error: a bug or bad data, which a restart would only repeat.
  if (!cause) return new KafkaError(`${action}: ${(error as Error).message}`, { cause: error });
  if (cause.retriable)
    return new KafkaError(`${action}: ${cause.message}`, { retriable: true, cause: error });
  return new KafkaError(`${action}: ${cause.message}${type ? ` (${type})` : ''}`, {
    code: 'KAFKA_NOT_RETRIABLE',
    details: 'Kafka marks this error not retriable: fix its cause, then restart the ingestor.',
    cause: error,
  });
}
