import { BaseError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { withRetry } from '../../shared/retry.ts';

/** Parameters of {@link createLeaderLock}. */
export type CreateLeaderLockParameters = {
  redis: RedisClient;
  key: string;
  /** Owner token, unique per instance and acquisition. */
  token: string;
  ttlMs: number;
  logger: Logger;
};

/** A Redis lock electing the one active ingestor of a chain. */
export type LeaderLock = {
  /** Waits until this instance holds the lock; resolves with a signal aborted when the lock is lost. */
  acquire(signal: AbortSignal): Promise<AbortSignal>;
  /** Releases the lock if this instance still owns it. */
  release(): Promise<void>;
};

/** Another instance holds the lock: the standby polls again. */
class LockHeldError extends BaseError {
  constructor(key: string) {
    super(`The chain lock ${key} is held by another ingestor`, { code: 'LOCK_HELD', retriable: true });
  }
}

// Only the owner may extend or delete: a lock that expired and was taken over stays with the new owner.
const renewScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Creates a leader lock (SET NX PX, renewed every ttl/3, compare-and-delete release). The holder
 * considers the lock lost when a renewal finds another owner or renewals keep failing for a TTL,
 * which is before a standby can take it over.
 */
export function createLeaderLock({
  redis,
  key,
  token,
  ttlMs,
  logger,
}: CreateLeaderLockParameters): LeaderLock {
  let renewer: NodeJS.Timeout | undefined;
  let lost: AbortController | undefined;

  const stopRenewing = () => {
    clearInterval(renewer);
    renewer = undefined;
  };

  return {
    async acquire(signal) {
      const interval = Math.max(50, Math.floor(ttlMs / 3));
      let waitingLogged = false;
      // Polls until the lock is free; only `signal` ends the wait (it then rejects with its reason).
      await withRetry(
        async () => {
          const result = await redis.set(key, token, 'PX', ttlMs, 'NX');
          if (result !== 'OK') throw new LockHeldError(key);
        },
        {
          retries: Number.POSITIVE_INFINITY,
          initialDelayMs: interval,
          maxDelayMs: interval,
          shouldRetry: () => true,
          onRetry: (error) => {
            if (!(error instanceof LockHeldError)) {
              logger.warn({
                msg: 'Acquiring the chain lock failed',
                lock: key,
                err: (error as Error).message,
              });
            } else if (!waitingLogged) {
              logger.info({ msg: 'Another ingestor holds the chain lock; standing by', lock: key });
              waitingLogged = true;
            }
          },
          signal,
        },
      );
      const controller = new AbortController();
      lost = controller;
      let lastRenewed = Date.now();
      renewer = setInterval(() => {
        void (async () => {
          try {
            const renewed = await redis.eval(renewScript, 1, key, token, String(ttlMs));
            if (renewed === 1) {
              lastRenewed = Date.now();
              return;
            }
            logger.error({ msg: 'Lost the chain lock to another ingestor', lock: key });
            stopRenewing();
            controller.abort(new Error('chain lock lost'));
          } catch (error) {
            logger.warn({ msg: 'Renewing the chain lock failed', lock: key, err: (error as Error).message });
            // Stop publishing before the lock can expire and a standby takes over.
            if (Date.now() - lastRenewed > ttlMs * 0.8) {
              stopRenewing();
              controller.abort(new Error('chain lock could not be renewed'));
            }
          }
        })();
      }, interval);
      renewer.unref();
      return controller.signal;
    },
    async release() {
      stopRenewing();
      lost?.abort(new Error('chain lock released'));
      try {
        await redis.eval(releaseScript, 1, key, token);
      } catch (error) {
        logger.warn({ msg: 'Releasing the chain lock failed', lock: key, err: (error as Error).message });
      }
    },
  };
}
