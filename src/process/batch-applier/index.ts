import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { chainStatusKey } from '../../domain/index.ts';
import type { AbiKind } from '../../shared/config/index.ts';
import { backoffDelay } from '../../shared/retry.ts';
import type { DeadLetter } from '../dlq/index.ts';
import { isPoisonRedisError } from '../isPoisonRedisError.ts';
import { processMetrics } from '../metrics.ts';
import { type ApplySettings, prepareApply } from '../prepareApply.ts';
import type { ProcessScripts } from '../scripts.ts';
import { validateMessage } from '../validateMessage.ts';

/** Outcome of applying a run of messages of one partition. */
export type ApplyOutcome =
  /** Every message was applied, skipped as duplicate or dead-lettered (listed). */
  | { kind: 'done'; deadLetters: DeadLetter[] }
  /** The epoch marker is missing or changed: nothing after the first refused message may be committed. */
  | { kind: 'epoch' }
  /** The consumer stopped or lost the partition while Redis was unavailable. */
  | { kind: 'stopped' };

/** Applies Kafka messages of `events.confirmed` to Redis through the apply script. */
export type BatchApplier = {
  apply(parameters: ApplyParameters): Promise<ApplyOutcome>;
};

/** Parameters of {@link BatchApplier.apply}. */
export type ApplyParameters = {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  epoch: string;
  /** False once the consumer stops or the partition was revoked. */
  shouldContinue(): boolean;
  /** Keeps the group membership alive while Redis is retried. */
  heartbeat(): Promise<void>;
};

/** Parameters of {@link createBatchApplier}. */
export type CreateBatchApplierParameters = {
  redis: Redis & ProcessScripts;
  settings: Omit<ApplySettings, 'epoch'>;
  abiKinds: Map<string, AbiKind>;
  logger: Logger;
  onRedisState?(available: boolean): void;
};

type Prepared =
  | {
      kind: 'apply';
      message: KafkaMessage;
      keysAndArgs: (string | number)[];
      chainId: number;
      blockNumber: number;
      removed: boolean;
    }
  | { kind: 'dead'; message: KafkaMessage; reason: string };

const statuses = ['CONFIRMED', 'REMOVED'] as const;

/**
 * Creates the applier: one EVALSHA per event, pipelined per run of messages, retried as a whole on
 * Redis failures (the script drops what was already applied, so a retry never double-applies).
 */
export function createBatchApplier({
  redis,
  settings,
  abiKinds,
  logger,
  onRedisState,
}: CreateBatchApplierParameters): BatchApplier {
  function prepare(message: KafkaMessage, epoch: string): Prepared {
    const valid = validateMessage({ key: message.key, value: message.value, statuses });
    if (!valid.ok) return { kind: 'dead', message, reason: valid.reason };
    const { event } = valid;
    const abiKind = abiKinds.get(`${event.chainId}:${event.address}`);
    const call = prepareApply({ event, abiKind, settings: { ...settings, epoch } });
    if (!call.ok) return { kind: 'dead', message, reason: call.reason };
    return {
      kind: 'apply',
      message,
      keysAndArgs: call.keysAndArgs,
      chainId: event.chainId,
      blockNumber: event.blockNumber,
      removed: event.status === 'REMOVED',
    };
  }

  return {
    async apply({ topic, partition, messages, epoch, shouldContinue, heartbeat }) {
      const prepared = messages.map((message) => prepare(message, epoch));
      const deadLetters: DeadLetter[] = [];
      const applies = prepared.filter((entry) => entry.kind === 'apply');
      for (const entry of prepared)
        if (entry.kind === 'dead')
          deadLetters.push({ message: entry.message, topic, partition, reason: entry.reason });
      if (applies.length === 0) return { kind: 'done', deadLetters };

      const processed = new Map<number, number>();
      for (const entry of applies)
        processed.set(entry.chainId, Math.max(processed.get(entry.chainId) ?? 0, entry.blockNumber));

      for (let attempt = 1; ; attempt++) {
        const started = performance.now();
        const pipeline = redis.pipeline() as unknown as ProcessScripts & {
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        for (const entry of applies) void pipeline.bwApply(...entry.keysAndArgs);
        const now = Date.now();
        for (const [chainId, block] of processed)
          void pipeline.bwChainStatus(chainStatusKey(settings.keyPrefix, chainId), 'processed', block, now);
        let failure: Error | undefined;
        let results: [Error | null, unknown][] = [];
        try {
          results = (await pipeline.exec()) ?? [];
        } catch (error) {
          failure = error as Error;
        }
        if (!failure) {
          const poisoned: DeadLetter[] = [];
          let applied = 0;
          let removed = 0;
          for (let i = 0; i < applies.length && !failure; i++) {
            const [error, result] = results[i] ?? [new Error('missing pipeline result'), null];
            if (error) {
              if (error.message.startsWith('BWEPOCH')) return { kind: 'epoch' };
              if (isPoisonRedisError(error)) {
                logger.error({
                  msg: 'Apply script rejected an event',
                  partition,
                  offset: applies[i]!.message.offset,
                  err: error,
                });
                poisoned.push({
                  message: applies[i]!.message,
                  topic,
                  partition,
                  reason: `apply script failed: ${error.message}`,
                });
              } else failure = error;
              continue;
            }
            const code = (result as [string, string])[0];
            if (code === 'A') {
              if (applies[i]!.removed) removed++;
              else applied++;
            } else if (code === 'D') processMetrics.duplicates.inc();
            else if (code === 'U') {
              processMetrics.unreversible.inc();
              logger.error({
                msg: 'REMOVED event is outside the reorg window; nothing reversed',
                partition,
                offset: applies[i]!.message.offset,
              });
            }
          }
          if (!failure) {
            processMetrics.applySeconds.observe((performance.now() - started) / 1000);
            if (applied) processMetrics.applied.inc({ status: 'CONFIRMED' }, applied);
            if (removed) processMetrics.applied.inc({ status: 'REMOVED' }, removed);
            if (attempt > 1) {
              logger.info({ msg: 'Redis available again; resumed', partition, attempts: attempt });
              onRedisState?.(true);
            }
            deadLetters.push(...poisoned);
            return { kind: 'done', deadLetters };
          }
        }
        processMetrics.redisErrors.inc();
        onRedisState?.(false);
        const delayMs = backoffDelay(attempt, 100, 5_000);
        logger.warn({
          msg: 'Redis unavailable; pausing partition and retrying',
          partition,
          attempt,
          delay_ms: delayMs,
          err: failure,
        });
        await sleep(delayMs);
        if (!shouldContinue()) return { kind: 'stopped' };
        try {
          await heartbeat();
        } catch {
          return { kind: 'stopped' };
        }
      }
    },
  };
}
