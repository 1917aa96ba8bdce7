import { setMaxListeners } from 'node:events';
import type { Kafka } from 'kafkajs';
import { ingestLockKey, ingestTransactionalId, type TopicNames } from '../../domain/index.ts';
import type { ResolvedChain } from '../../shared/config/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { redactUrl } from '../../shared/logger.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { retryUntilAborted } from '../../shared/retry.ts';
import type { TrackedBlock } from '../chain-tracker/index.ts';
import { isRetriable } from '../isRetriable.ts';
import { createLeaderLock } from '../leader-lock/index.ts';
import { ingestMetrics } from '../metrics.ts';
import { createPublisher } from '../publisher/index.ts';
import { createRpc } from '../rpc/index.ts';
import { runSession, type SessionOptions } from './session.ts';

/** Parameters of {@link createChainIngestor}. */
export type CreateChainIngestorParameters = {
  chain: ResolvedChain;
  kafka: Kafka;
  redis: RedisClient;
  topics: TopicNames;
  topicPrefix: string;
  /** Most events of one contract in one `events.confirmed` record (see the config's `kafka.eventsPerRecord`). */
  eventsPerRecord?: number;
  keyPrefix: string;
  instanceId: string;
  logger: Logger;
  lockTtlMs: number;
  options: SessionOptions;
};

/** The loop of one chain: wait for the chain lock, then run sessions until stopped or the lock is lost. */
export type ChainIngestor = {
  /** Resolves when `signal` aborts; rejects with the error that stopped the chain (non-retriable). */
  run(signal: AbortSignal): Promise<void>;
};

/** Creates the loop of one chain; see {@link ChainIngestor}. */
export function createChainIngestor(parameters: CreateChainIngestorParameters): ChainIngestor {
  const {
    chain,
    kafka,
    redis,
    topics,
    topicPrefix,
    eventsPerRecord,
    keyPrefix,
    instanceId,
    lockTtlMs,
    options,
  } = parameters;
  const chainId = chain.chainId;
  const logger = parameters.logger.child({ chain_id: chainId });
  const label = { chain_id: String(chainId) };
  const memory: { blocks: TrackedBlock[] | undefined } = { blocks: undefined };

  return {
    async run(signal) {
      const lock = createLeaderLock({
        redis,
        key: ingestLockKey(keyPrefix, chainId),
        token: `${instanceId}:${Date.now()}:${Math.random().toString(36).slice(2)}`,
        ttlMs: lockTtlMs,
        logger,
      });
      logger.info({
        msg: 'Chain loop started',
        rpc_http: redactUrl(chain.rpc.http),
        confirmations: chain.confirmations,
      });
      while (!signal.aborted) {
        let lost: AbortSignal;
        try {
          lost = await lock.acquire(signal);
        } catch {
          break;
        }
        ingestMetrics.leader.set(label, 1);
        logger.info({ msg: 'Acquired the chain lock; this ingestor is active', instance: instanceId });
        const held = AbortSignal.any([signal, lost]);
        // Every RPC call in flight listens to it: ranges, their pieces, header batches and the
        // address chunks of a factory's children are many more than Node's warning threshold of 10.
        setMaxListeners(1_000, held);
        try {
          // One session per attempt: a retriable failure restarts from the committed checkpoint, one
          // that may not be retried (REORG_TOO_DEEP, a refused Kafka request, a bug) stops the chain.
          await retryUntilAborted(
            async () => {
              const rpc = createRpc({ chainId, httpUrl: chain.rpc.http, logger, signal: held });
              const publisher = createPublisher({
                kafka,
                topics,
                chainId,
                transactionalId: ingestTransactionalId(topicPrefix, chainId),
                eventsPerRecord,
                logger,
              });
              try {
                await runSession({
                  chain,
                  kafka,
                  topics,
                  topicPrefix,
                  rpc,
                  publisher,
                  logger,
                  options,
                  memory,
                  signal: held,
                });
              } finally {
                await publisher.disconnect();
              }
            },
            {
              signal: held,
              initialDelayMs: 500,
              maxDelayMs: 30_000,
              resetAfterMs: 60_000,
              shouldRetry: isRetriable,
              onRetry: (error, attempt, delayMs) =>
                logger.warn({
                  msg: 'Chain session failed; restarting from the checkpoint',
                  attempt,
                  delay_ms: delayMs,
                  err: (error as Error).message,
                }),
            },
          );
        } catch (error) {
          if (!held.aborted) {
            logger.error({
              msg: 'Chain stopped: its session failed with an error that is not retried',
              err: (error as Error)?.message ?? String(error),
            });
          }
          throw error;
        } finally {
          ingestMetrics.leader.set(label, 0);
          if (signal.aborted || !lost.aborted) await lock.release();
        }
        if (!signal.aborted) {
          memory.blocks = undefined;
          logger.warn({ msg: 'Lost the chain lock; standing by' });
        }
      }
    },
  };
}
