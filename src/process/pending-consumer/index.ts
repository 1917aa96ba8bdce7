import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { contractKeys, type EventChannelMessage, eventKey, pendingChannel } from '../../domain/index.ts';
import { execRedisBatch } from '../../shared/execRedisBatch.ts';
import type { RedisClient } from '../../shared/redis.ts';
import type { DeadLetter, Dlq } from '../dlq/index.ts';
import { execUntilAcknowledged } from '../execUntilAcknowledged.ts';
import { processMetrics } from '../metrics.ts';
import { validateMessage } from '../projection/validateMessage.ts';
import type { ProcessScripts } from '../scripts.ts';

/**
 * Forwards `events.pending` to the pending channels without touching state, dropping the PENDING
 * events whose id or block the contract's confirmed state already holds (see `publishPending.lua`).
 */
export type PendingConsumer = { start(): Promise<void>; stop(): Promise<void> };

/** Parameters of {@link createPendingConsumer}. */
export type CreatePendingConsumerParameters = {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redis: RedisClient & ProcessScripts;
  keyPrefix: string;
  dlq: Dlq;
  logger: Logger;
  /** Kafka consumer session timeout in ms (`process.sessionTimeoutMs`). Default 10000. */
  sessionTimeoutMs?: number;
};

const statuses = ['PENDING', 'REMOVED'] as const;

/**
 * Creates the pending forwarder. Pending events are a preview: it starts at the latest offset and a
 * redelivery after a crash may publish a pending event twice (subscribers key them by id), but never
 * after the CONFIRMED of its id: a redelivery that arrives late (e.g. after the partition moved away
 * from a killed instance) finds the id applied and is dropped.
 */
export function createPendingConsumer({
  kafka,
  topic,
  groupId,
  redis,
  keyPrefix,
  dlq,
  logger,
  sessionTimeoutMs = 10_000,
}: CreatePendingConsumerParameters): PendingConsumer {
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
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        // Offsets are resolved only once Redis acknowledged the publishes: a consumer stopped while
        // Redis is away must not commit what it never published.
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, heartbeat, resolveOffset, isStale }) => {
          // One script call per contract, in partition order (a contract's events share a key).
          const runs = new Map<string, (string | number)[]>();
          const dead: DeadLetter[] = [];
          for (const message of batch.messages) {
            const valid = validateMessage({ key: message.key, value: message.value, statuses });
            if (!valid.ok) {
              dead.push({ message, topic, partition: batch.partition, reason: valid.reason });
              continue;
            }
            const { event } = valid;
            const channelMessage: EventChannelMessage = { kind: 'event', event, cursor: null };
            const contract = eventKey(event.chainId, event.address);
            let run = runs.get(contract);
            if (!run) {
              const keys = contractKeys(keyPrefix, event.chainId, event.address);
              run = [
                keys.meta,
                keys.applied,
                keys.removed,
                pendingChannel(keyPrefix, event.chainId, event.address),
              ];
              runs.set(contract, run);
            }
            run.push(
              event.id,
              event.status,
              event.blockNumber,
              event.logIndex,
              JSON.stringify(channelMessage),
            );
          }
          if (runs.size > 0) {
            let stale = 0;
            const outcome = await execUntilAcknowledged({
              // A run's first argument is its contract's meta key (its slot on a cluster).
              send: () =>
                execRedisBatch<ProcessScripts>(
                  redis,
                  [...runs.values()].map((run) => ({
                    key: String(run[0]),
                    add: (pipeline) => void pipeline.bwPublishPending(...run),
                  })),
                ),
              signal: stopController.signal,
              shouldContinue: () => !isStale(),
              heartbeat,
              logger,
              what: 'publish pending events',
              onAcknowledged: (results) => {
                stale = results.reduce((sum, [, result]) => sum + Number((result as number[])[1] ?? 0), 0);
              },
            });
            if (outcome === 'stopped') return;
            if (stale > 0) {
              processMetrics.stalePending.inc(stale);
              logger.debug({
                msg: 'Dropped PENDING events already confirmed',
                partition: batch.partition,
                count: stale,
              });
            }
          }
          await dlq.send(dead);
          const last = batch.messages.at(-1);
          if (last) resolveOffset(last.offset);
        },
      });
    },
    async stop() {
      stopController.abort(new Error('pending consumer stopped'));
      await consumer.disconnect().catch(() => {});
    },
  };
}
