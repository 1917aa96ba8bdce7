/**
 * Whether a Redis error is caused by the command itself (a script runtime error, a key of the wrong
 * type) so retrying cannot help. Everything else (connection lost, LOADING, BUSY, timeouts) is retried:
 * retrying an idempotent apply is always safe, skipping an event is not.
 */
export function isPoisonRedisError(error: Error): boolean {
  const message = error.message;
  return (
    message.startsWith('WRONGTYPE') ||
    message.includes('user_script') ||
    message.includes('Error running script') ||
    message.startsWith('ERR Error compiling script')
  );
}
