import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/** Parameters of {@link logConnectionErrors}. */
export type LogConnectionErrorsParameters = {
  /** A client that emits `error` on each failed (re)connection and `ready` once connected (ioredis). */
  client: EventEmitter;
  logger: Logger;
  /** Fields added to every line, e.g. `{ connection: 'subscriber' }`. */
  fields?: Record<string, unknown>;
  /** The line's message. Default `Redis connection error`. */
  msg?: string;
};

/**
 * Logs a client's connection errors without flooding: the first occurrence of each message since the
 * client was last connected at warn, its repeats (one per reconnect attempt) at debug. Returns the
 * message of the last error seen, for a start-up failure to quote.
 */
export function logConnectionErrors({
  client,
  logger,
  fields = {},
  msg = 'Redis connection error',
}: LogConnectionErrorsParameters): () => string | undefined {
  const seen = new Set<string>();
  let last: string | undefined;
  client.on('ready', () => seen.clear());
  client.on('error', (error: Error) => {
    last = error.message;
    const level = seen.has(error.message) ? 'debug' : 'warn';
    seen.add(error.message);
    logger[level]({ msg, ...fields, err: error.message });
  });
  return () => last;
}
