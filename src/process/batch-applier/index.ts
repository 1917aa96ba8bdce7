import type { Span } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { type ChainEvent, chainStatusKey, encodeEvent } from '../../domain/index.ts';
import type { AbiKind, ResolvedProjection } from '../../shared/config/index.ts';
import { execRedisBatch, type RedisBatchCommand } from '../../shared/execRedisBatch.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { withRetry } from '../../shared/retry.ts';
import { activeTracing } from '../../shared/telemetry/index.ts';
import type { DeadLetter } from '../dlq/index.ts';
import { isPoisonRedisError } from '../isPoisonRedisError.ts';
import { contractSettingsKey } from '../lifecycle/processorSettings.ts';
import { processMetrics } from '../metrics.ts';
import {
  type ApplySettings,
  buildApplyCall,
  type PreparedEvent,
  prepareApply,
} from '../projection/prepareApply.ts';
import { validateRecord } from '../projection/validateMessage.ts';
import type { ProcessScripts } from '../scripts.ts';
import { endApplySpans } from './endApplySpans.ts';
import { startApplySpans } from './startApplySpans.ts';

/** Outcome of applying a run of messages of one partition. */
export type ApplyOutcome =
  /** Every message was applied, skipped as duplicate or dead-lettered (listed). */
  | { kind: 'done'; deadLetters: DeadLetter[] }
  /** The epoch marker is missing or changed: nothing after the first refused message may be committed. */
  | { kind: 'epoch' }
  /** The consumer stopped or lost the partition while Redis was unavailable. */
  | { kind: 'stopped' };

/**
 * Applies Kafka messages of `events.confirmed` to Redis through the apply script. Preparing (decode,
 * validate, build the script calls) is separate from applying, so a consumer can prepare the next
 * chunk of a partition while Redis works on the current one.
 */
export type BatchApplier = {
  prepare(parameters: PrepareParameters): PreparedChunk;
  apply(chunk: PreparedChunk, control: ApplyControl): Promise<ApplyOutcome>;
};

/** Parameters of {@link BatchApplier.prepare}. */
export type PrepareParameters = {
  topic: string;
  partition: number;
  /** A batch of the partition's messages; the chunk takes them from `start` on. */
  messages: readonly KafkaMessage[];
  /** Index of the chunk's first message in `messages` (0 by default). */
  start?: number;
  /**
   * The chunk ends after the message that brings its events to this many (a packed record holds
   * several events); the whole rest of `messages` by default.
   */
  maxEvents?: number;
  epoch: string;
};

/** A chunk of one partition's messages, decoded and turned into apply script calls. */
export type PreparedChunk = {
  topic: string;
  partition: number;
  /** Index in the batch just past the chunk's last message: the next chunk's `start`. */
  end: number;
  /** Messages that cannot be applied, with why. */
  invalid: DeadLetter[];
  runs: Applicable[][];
  calls: (string | number)[][];
  /** Highest block per chain in the chunk (the chain's processed mark). */
  processed: Map<number, number>;
  /** The events' apply spans per run (undefined: untraced event); absent when tracing is off. */
  spans?: (Span | undefined)[][];
};

/** What {@link BatchApplier.apply} needs from the consumer while it retries Redis. */
export type ApplyControl = {
  /** False once the consumer stops or the partition was revoked. */
  shouldContinue(): boolean;
  /** Keeps the group membership alive while Redis is retried; a failure gives the chunk up. */
  heartbeat(): Promise<void>;
  /** Aborted when the consumer stops: a backoff wait ends at once and the chunk is given up. */
  signal?: AbortSignal;
};

/** Parameters of {@link createBatchApplier}. */
export type CreateBatchApplierParameters = {
  redis: RedisClient & ProcessScripts;
  settings: Omit<ApplySettings, 'epoch'>;
  abiKinds: Map<string, AbiKind>;
  /** Projections (custom state) per `chainId:address`; contracts without any are left out. */
  projections?: Map<string, ResolvedProjection[]>;
  logger: Logger;
  onRedisState?(available: boolean): void;
  /** Redis Cluster: replicas that must acknowledge a chunk's writes before it counts as applied. */
  replicaAcks?: number;
};

type Prepared =
  | {
      kind: 'apply';
      message: KafkaMessage;
      /** Position of the event in its packed record; undefined for a record of one event. */
      index: number | undefined;
      event: PreparedEvent;
      blockNumber: number;
      removed: boolean;
    }
  | { kind: 'dead'; message: KafkaMessage; reason: string; value?: Buffer; index?: number };

export type Applicable = Extract<Prepared, { kind: 'apply' }>;

const statuses = ['CONFIRMED', 'REMOVED'] as const;

/**
 * Splits a partition's messages into apply calls: each call is a run of events of one contract in
 * their partition order (contracts are independent, so runs of different contracts may be reordered),
 * at most `maxRun` long.
 */
function runsOf(applies: Applicable[], maxRun: number): Applicable[][] {
  const byContract = new Map<string, Applicable[]>();
  for (const entry of applies) {
    const list = byContract.get(entry.event.contract);
    if (list) list.push(entry);
    else byContract.set(entry.event.contract, [entry]);
  }
  const runs: Applicable[][] = [];
  for (const list of byContract.values())
    for (let i = 0; i < list.length; i += maxRun) runs.push(list.slice(i, i + maxRun));
  return runs;
}

/** Largest run of one contract's events in one script call (bounds the script's time in Redis). */
const maxRun = 200;

/**
 * Creates the applier: one EVALSHA per run of a contract's events, pipelined per run of messages,
 * retried as a whole on Redis failures (the script drops what was already applied, so a retry never
 * double-applies).
 */
export function createBatchApplier({
  redis,
  settings,
  abiKinds,
  projections,
  logger,
  onRedisState,
  replicaAcks = 0,
}: CreateBatchApplierParameters): BatchApplier {
  /**
   * `index`: the event's position in a packed record (undefined for a record of one event); `json`:
   * its text in the record, when that can be kept (see validateRecord).
   */
  function prepareEvent(
    message: KafkaMessage,
    event: ChainEvent,
    index: number | undefined,
    json: string | undefined,
  ): Prepared {
    const contract =
      event.template === undefined
        ? contractSettingsKey(event.chainId, event.address)
        : contractSettingsKey(event.chainId, event.template, true);
    const prepared = prepareApply({
      event,
      abiKind: abiKinds.get(contract),
      projections: projections?.get(contract),
      json,
    });
    if (!prepared.ok)
      return index === undefined
        ? { kind: 'dead', message, reason: prepared.reason }
        : {
            kind: 'dead',
            message,
            reason: `events[${index}] of a packed record: ${prepared.reason}`,
            value: Buffer.from(encodeEvent(event)),
            index,
          };
    return {
      kind: 'apply',
      message,
      index,
      event: prepared.value,
      blockNumber: event.blockNumber,
      removed: event.status === 'REMOVED',
    };
  }

  const applier: BatchApplier = {
    prepare({ topic, partition, messages, start = 0, maxEvents = Number.POSITIVE_INFINITY, epoch }) {
      const invalid: DeadLetter[] = [];
      const applies: Applicable[] = [];
      let end = start;
      let events = 0;
      while (end < messages.length && events < maxEvents) {
        const message = messages[end++]!;
        const entries = validateRecord({ key: message.key, value: message.value, statuses });
        for (const [index, entry] of entries.entries()) {
          events++;
          const prepared: Prepared = entry.ok
            ? prepareEvent(message, entry.event, entries.length > 1 ? index : undefined, entry.json)
            : { kind: 'dead', message, reason: entry.reason, value: entry.value, index: entry.index };
          if (prepared.kind === 'apply') applies.push(prepared);
          else
            invalid.push({
              message,
              topic,
              partition,
              reason: prepared.reason,
              value: prepared.value,
              index: prepared.index,
            });
        }
      }
      const processed = new Map<number, number>();
      for (const entry of applies)
        processed.set(
          entry.event.chainId,
          Math.max(processed.get(entry.event.chainId) ?? 0, entry.blockNumber),
        );
      const runs = runsOf(applies, maxRun);
      const calls = runs.map((run) =>
        buildApplyCall(
          run.map((entry) => entry.event),
          { ...settings, epoch },
        ),
      );
      const tracing = activeTracing();
      if (!tracing) return { topic, partition, end, invalid, runs, calls, processed };
      const spans = startApplySpans({ tracing, topic, partition, runs, calls });
      return { topic, partition, end, invalid, runs, calls, processed, spans };
    },

    async apply(
      { topic, partition, invalid, runs, calls, processed, spans },
      { shouldContinue, heartbeat, signal },
    ) {
      const deadLetters = [...invalid];
      if (runs.length === 0) return { kind: 'done', deadLetters };

      // One attempt: the outcome, or a throw when Redis failed (the whole pipeline is retried).
      const attemptApply = async (attempt: number): Promise<ApplyOutcome> => {
        const started = performance.now();
        const now = Date.now();
        // The first key of a call is the epoch marker, in the contract's slot on a cluster.
        const commands: RedisBatchCommand<ProcessScripts>[] = calls.map((call) => ({
          key: String(call[1]),
          add: (pipeline) => void pipeline.bwApply(...call),
        }));
        for (const [chainId, block] of processed) {
          const key = chainStatusKey(settings.keyPrefix, chainId);
          commands.push({
            key,
            add: (pipeline) => void pipeline.bwChainStatus(key, 'processed', block, now),
          });
        }
        let failure: Error | undefined;
        let results: [Error | null, unknown][] = [];
        try {
          results = await execRedisBatch(redis, commands, { replicaAcks });
        } catch (error) {
          failure = error as Error;
        }
        if (!failure) {
          const poisoned: DeadLetter[] = [];
          let applied = 0;
          let removed = 0;
          const poison = (entry: Applicable, reason: string, err?: Error) => {
            logger.error({
              msg: 'Apply script rejected an event',
              partition,
              offset: entry.message.offset,
              index: entry.index,
              reason,
              err,
            });
            poisoned.push({
              message: entry.message,
              topic,
              partition,
              reason: `apply script failed: ${reason}`,
              ...(entry.index === undefined
                ? {}
                : { value: Buffer.from(entry.event.json), index: entry.index }),
            });
          };
          for (let r = 0; r < runs.length && !failure; r++) {
            const run = runs[r]!;
            const [error, result] = results[r] ?? [new Error('missing pipeline result'), null];
            if (error) {
              if (error.message.startsWith('BWEPOCH')) return { kind: 'epoch' };
              if (isPoisonRedisError(error)) for (const entry of run) poison(entry, error.message, error);
              else failure = error;
              continue;
            }
            const codes = result as string[];
            for (let i = 0; i < run.length; i++) {
              const entry = run[i]!;
              const code = codes[2 * i];
              if (code === 'A') {
                if (entry.removed) removed++;
                else applied++;
              } else if (code === 'D') processMetrics.duplicates.inc();
              else if (code === 'U') {
                processMetrics.unreversible.inc();
                logger.error({
                  msg: 'REMOVED event is outside the reorg window; nothing reversed',
                  partition,
                  offset: entry.message.offset,
                });
              } else poison(entry, String(codes[2 * i + 1] ?? `unexpected result ${String(code)}`));
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
            if (spans) endApplySpans(spans, results);
            return { kind: 'done', deadLetters };
          }
        }
        processMetrics.redisErrors.inc();
        onRedisState?.(false);
        throw failure;
      };

      let lost = false;
      const active = () => !lost && !signal?.aborted && shouldContinue();
      try {
        return await withRetry(
          async (attempt) => {
            if (attempt > 1) {
              if (!active()) throw new Error('consumer stopped');
              try {
                await heartbeat();
              } catch (error) {
                lost = true;
                throw error;
              }
            }
            return await attemptApply(attempt);
          },
          {
            retries: Number.POSITIVE_INFINITY,
            initialDelayMs: 100,
            maxDelayMs: 5_000,
            shouldRetry: active,
            // A BWRETRY is a failure inside the apply script (a bug, not bad data): the run is
            // retried like an outage, but logged as what it is.
            onRetry: (error, attempt, delayMs) =>
              logger.warn({
                msg: String((error as Error)?.message).includes('BWRETRY')
                  ? 'Apply script failed; retrying the run without committing'
                  : 'Redis unavailable; pausing partition and retrying',
                partition,
                attempt,
                delay_ms: delayMs,
                err: error,
              }),
            signal,
          },
        );
      } catch (error) {
        if (!active()) return { kind: 'stopped' };
        throw error;
      }
    },
  };

  // With tracing on, a chunk that ends other than applied (stopped, epoch change, failure) ends its
  // spans as abandoned; an applied chunk ended them with the script's results.
  const applyTraced = async (chunk: PreparedChunk, control: ApplyControl, spans: (Span | undefined)[][]) => {
    let outcome: ApplyOutcome | undefined;
    try {
      outcome = await applier.apply(chunk, control);
      return outcome;
    } finally {
      if (outcome?.kind !== 'done') endApplySpans(spans);
    }
  };

  return {
    prepare: applier.prepare,
    apply: (chunk, control) =>
      chunk.spans ? applyTraced(chunk, control, chunk.spans) : applier.apply(chunk, control),
  };
}
