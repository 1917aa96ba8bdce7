import { BaseError } from '../shared/errors/index.ts';

/**
 * Whether a failed ingest session may be restarted: blockwire errors say so themselves; kafkajs
 * errors are broker/network trouble; anything else is a bug or bad input and stops the role.
 */
export function isRetriable(error: unknown): boolean {
  if (error instanceof BaseError) return error.retriable;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && name.startsWith('KafkaJS');
}
