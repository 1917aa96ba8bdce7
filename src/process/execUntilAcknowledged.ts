import { setTimeout as sleep } from 'node:timers/promises';
import type { ChainableCommander } from 'ioredis';
import type { Logger } from 'pino';
import { backoffDelay } from '../shared/retry.ts';

/** Parameters of {@link execUntilAcknowledged}. */
export type ExecUntilAcknowledgedParameters = {
  /** Builds a fresh pipeline for each attempt (an executed pipeline cannot be sent again). */
  build: () => ChainableCommander;
  /** Stops retrying once it returns false (the consumer is stopping). */
  running: () => boolean;
  /** Keeps the Kafka session alive while Redis is away. */
  heartbeat: () => Promise<void>;
  logger: Logger;
  /** What is being written, for the retry log line. */
  what: string;
};

/**
 * Sends a pipeline and retries it with backoff until Redis acknowledged every command, so the batch's
 * offsets are never committed for writes that did not happen. The commands must be idempotent.
 */
export async function execUntilAcknowledged(parameters: ExecUntilAcknowledgedParameters): Promise<void> {
  const { build, running, heartbeat, logger, what } = parameters;
  for (let attempt = 1; running(); attempt++) {
    try {
      const results = (await build().exec()) ?? [];
      const failed = results.find(([error]) => error)?.[0];
      if (!failed) return;
      throw failed;
    } catch (error) {
      logger.warn({ msg: `Could not ${what}; retrying`, attempt, err: error });
      await sleep(backoffDelay(attempt, 100, 5_000));
      await heartbeat();
    }
  }
}
