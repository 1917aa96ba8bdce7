import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import {
  chainStatusKey,
  decodeCheckpoint,
  type HeadChannelMessage,
  headsChannel,
} from '../../domain/index.ts';
import { execRedisBatch } from '../../shared/execRedisBatch.ts';
import type { RedisClient } from '../../shared/redis.ts';
import type { Dlq } from '../dlq/index.ts';
import { execUntilAcknowledged } from '../execUntilAcknowledged.ts';
import type { ProcessScripts } from '../scripts.ts';
import { createProcessedTracker } from './processedTracker.ts';

/**
 * Keeps each chain's status hash (head, confirmed block) current, publishes new confirmed heads, and
 * advances the processed block to a checkpoint once the processor has applied everything before it.
 */
export type CheckpointConsumer = { start(): Promise<void>; stop(): Promise<void> };

/** Parameters of {@link createCheckpointConsumer}. */
export type CreateCheckpointConsumerParameters = {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redis: RedisClient & ProcessScripts;
  keyPrefix: string;
  dlq: Dlq;
  logger: Logger;
  /** Kafka consumer session timeout in ms (`process.sessionTimeoutMs`). Default 10000. */
  sessionTimeoutMs?: number;
  /** `events.confirmed`, whose consumption by the processor decides how far a chain is processed. */
  confirmedTopic: string;
  /** Consumer group of the processor's current epoch (undefined before it started consuming). */
  processorGroup: () => string | undefined;
  /** How often the processor's committed offsets are compared with the last checkpoints. */
  progressCheckIntervalMs?: number;
};

/** Creates the consumer of the compacted `checkpoints` topic (from the beginning: it is small). */
export function createCheckpointConsumer({
  kafka,
  topic,
  groupId,
  redis,
  keyPrefix,
  dlq,
  logger,
  sessionTimeoutMs = 10_000,
  confirmedTopic,
  processorGroup,
  progressCheckIntervalMs = 1_000,
}: CreateCheckpointConsumerParameters): CheckpointConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
  });
  // Aborted by stop(): a Redis retry in progress ends and its batch stays unresolved (uncommitted).
  const stopController = new AbortController();
  const admin = kafka.admin();
  const tracker = createProcessedTracker({
    kafka,
    admin,
    redis,
    keyPrefix,
    confirmedTopic,
    processorGroup,
    logger,
  });
  let progressTimer: NodeJS.Timeout | undefined;
  return {
    async start() {
      await admin.connect();
      progressTimer = setInterval(() => void tracker.advance(), progressCheckIntervalMs);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Offsets are resolved only once Redis acknowledged the batch: a consumer stopped while Redis
        // is away must not commit what it never wrote.
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isStale }) => {
          const pipelineArgs: [string, ...(string | number)[]][] = [];
          const dead = [];
          const latest = new Map<number, number>();
          for (const message of batch.messages) {
            const decoded = decodeCheckpoint(message.value);
            if (!decoded.ok) {
              dead.push({ message, topic, partition: batch.partition, reason: decoded.reason });
              continue;
            }
            const { chainId, blockNumber, blockHash, head, updatedAt } = decoded.value;
            latest.set(chainId, Math.max(latest.get(chainId) ?? 0, blockNumber));
            const headMessage: HeadChannelMessage = { kind: 'head', chainId, blockNumber, blockHash, head };
            pipelineArgs.push([
              chainStatusKey(keyPrefix, chainId),
              'checkpoint',
              blockNumber,
              blockHash,
              head,
              updatedAt,
              headsChannel(keyPrefix, chainId),
              JSON.stringify(headMessage),
            ]);
          }
          if (pipelineArgs.length > 0) {
            const outcome = await execUntilAcknowledged({
              send: () =>
                execRedisBatch<ProcessScripts>(
                  redis,
                  pipelineArgs.map(([key, ...args]) => ({
                    key,
                    add: (pipeline) => void pipeline.bwChainStatus(key, ...args),
                  })),
                ),
              signal: stopController.signal,
              shouldContinue: () => !isStale(),
              heartbeat,
              logger,
              what: 'update chain status',
            });
            if (outcome === 'stopped') return;
          }
          await dlq.send(dead);
          const last = batch.messages.at(-1);
          if (last) resolveOffset(last.offset);
          try {
            await tracker.noteCheckpoints(latest);
          } catch (error) {
            // The next checkpoint sets a new target; this one only would have advanced sooner.
            logger.warn({ msg: 'Could not read the end offsets of events.confirmed', err: error });
          }
          await tracker.advance();
        },
      });
    },
    async stop() {
      stopController.abort(new Error('checkpoint consumer stopped'));
      if (progressTimer) clearInterval(progressTimer);
      await consumer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
    },
  };
}
