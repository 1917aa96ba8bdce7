import { BaseError } from '../shared/errors/index.ts';
import { kafkaErrorCause } from '../shared/kafka.ts';

/**
 * Whether a failed ingest session may be restarted: blockwire errors say so themselves; kafkajs
 * errors by their own `retriable` flag, read under kafkajs's retry wrappers (a broker or network
 * problem is retried, an authentication, authorization or configuration refusal stops the role);
 * anything else is a bug or bad input and stops the role.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof BaseError) return error.retriable;
  return kafkaErrorCause(error)?.retriable ?? false;
}
