/**
 * Whether a Redis error is caused by the data the command met (a key of the wrong type), so retrying
 * cannot help and the messages go to the DLQ. Everything else is retried: connection lost, LOADING,
 * BUSY, timeouts, and a bug in a script (`BWRETRY`, or a runtime error outside the apply script's
 * per-event guard): retrying an idempotent apply is always safe, sending good events to the DLQ
 * because of a bug is not.
 */
export function isPoisonRedisError(error: Error): boolean {
  return error.message.startsWith('WRONGTYPE');
}
