import type { Logger } from 'pino';
import { withRetry } from '../shared/retry.ts';

/** Parameters of {@link execUntilAcknowledged}. */
export type ExecUntilAcknowledgedParameters = {
  /** Sends the commands, afresh for each attempt (see `execRedisBatch`); resolves with their replies. */
  send: () => Promise<[Error | null, unknown][]>;
  /** Aborted when the consumer stops: a backoff wait ends at once and no further attempt is made. */
  signal: AbortSignal;
  /** Returns false once the batch must be given up (e.g. its partition was revoked). */
  shouldContinue?: () => boolean;
  /** Keeps the Kafka session alive while Redis is away; a failure gives the batch up. */
  heartbeat: () => Promise<void>;
  logger: Logger;
  /** What is being written, for the retry log line. */
  what: string;
  /** Receives the results of the attempt Redis acknowledged. */
  onAcknowledged?: (results: [Error | null, unknown][]) => void;
  /**
   * An attempt Redis has not answered within this many ms is given up and tried again (the commands
   * are idempotent): a reply lost on the way, e.g. while a Redis Cluster moves a slot, must not stop
   * the partition for good. Default 30 000.
   */
  attemptTimeoutMs?: number;
};

/** Rejects when `promise` has not settled within `ms`; the late outcome is ignored. */
function withinTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * How {@link execUntilAcknowledged} ended: `acknowledged` when Redis acknowledged every command,
 * `stopped` when the consumer stopped (or lost the partition) first; then the writes may not have
 * happened and the batch's offsets must not be resolved.
 */
export type ExecOutcome = 'acknowledged' | 'stopped';

/**
 * Sends a batch of commands and retries it with backoff until Redis acknowledged every command, so the batch's
 * offsets are resolved only for writes that happened. The commands must be idempotent.
 */
export async function execUntilAcknowledged(
  parameters: ExecUntilAcknowledgedParameters,
): Promise<ExecOutcome> {
  const {
    send,
    signal,
    shouldContinue = () => true,
    heartbeat,
    logger,
    what,
    onAcknowledged,
    attemptTimeoutMs = 30_000,
  } = parameters;
  let lost = false;
  const active = () => !lost && !signal.aborted && shouldContinue();
  try {
    await withRetry(
      async (attempt) => {
        if (attempt > 1) {
          try {
            await heartbeat();
          } catch (error) {
            lost = true;
            throw error;
          }
        }
        if (!active()) throw new Error('consumer stopped');
        const results = await withinTimeout(send(), attemptTimeoutMs);
        const failed = results.find(([error]) => error)?.[0];
        if (failed) throw failed;
        onAcknowledged?.(results);
      },
      {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 100,
        maxDelayMs: 5_000,
        shouldRetry: active,
        onRetry: (error, attempt, delayMs) =>
          logger.warn({ msg: `Could not ${what}; retrying`, attempt, delay_ms: delayMs, err: error }),
        signal,
      },
    );
    return 'acknowledged';
  } catch (error) {
    if (!active()) return 'stopped';
    throw error;
  }
}
