import type { ChainableCommander, Redis } from 'ioredis';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import {
  chainStatusKey,
  decodeCheckpoint,
  type HeadChannelMessage,
  headsChannel,
} from '../../domain/index.ts';
import type { Dlq } from '../dlq/index.ts';
import { execUntilAcknowledged } from '../execUntilAcknowledged.ts';
import type { ProcessScripts } from '../scripts.ts';

/** Keeps each chain's status hash (head, confirmed block) current and publishes new confirmed heads. */
export type CheckpointConsumer = { start(): Promise<void>; stop(): Promise<void> };

/** Parameters of {@link createCheckpointConsumer}. */
export type CreateCheckpointConsumerParameters = {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redis: Redis & ProcessScripts;
  keyPrefix: string;
  dlq: Dlq;
  logger: Logger;
  /** Kafka consumer session timeout in ms (`process.sessionTimeoutMs`). Default 10000. */
  sessionTimeoutMs?: number;
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
}: CreateCheckpointConsumerParameters): CheckpointConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: sessionTimeoutMs,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
  });
  // Aborted by stop(): a Redis retry in progress ends and its batch stays unresolved (uncommitted).
  const stopController = new AbortController();
  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        // Offsets are resolved only once Redis acknowledged the batch: a consumer stopped while Redis
        // is away must not commit what it never wrote.
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isStale }) => {
          const pipelineArgs: [string, ...(string | number)[]][] = [];
          const dead = [];
          for (const message of batch.messages) {
            const decoded = decodeCheckpoint(message.value);
            if (!decoded.ok) {
              dead.push({ message, topic, partition: batch.partition, reason: decoded.reason });
              continue;
            }
            const { chainId, blockNumber, blockHash, head, updatedAt } = decoded.value;
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
              build: () => {
                const pipeline = redis.pipeline() as ChainableCommander & ProcessScripts;
                for (const [key, ...args] of pipelineArgs) void pipeline.bwChainStatus(key, ...args);
                return pipeline;
              },
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
        },
      });
    },
    async stop() {
      stopController.abort(new Error('checkpoint consumer stopped'));
      await consumer.disconnect().catch(() => {});
    },
  };
}
