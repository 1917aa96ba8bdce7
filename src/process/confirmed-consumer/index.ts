import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { BatchApplier } from '../batch-applier/index.ts';
import type { Dlq } from '../dlq/index.ts';
import { processMetrics } from '../metrics.ts';

/** Consumes `events.confirmed` under one epoch's consumer group. */
export type ConfirmedConsumer = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Settles with why consumption must restart: the epoch changed or the consumer crashed for good. */
  ended: Promise<'epoch' | 'crashed'>;
  /** Consumer lag per partition after the last batch (partitions without a batch are absent). */
  lag(): Map<number, number>;
  /** True once the consumer joined its group. */
  joined(): boolean;
};

/** Parameters of {@link createConfirmedConsumer}. */
export type CreateConfirmedConsumerParameters = {
  kafka: Kafka;
  topic: string;
  groupId: string;
  epoch: string;
  applier: BatchApplier;
  dlq: Dlq;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  /**
   * Events applied in one Redis pipeline: a chunk ends with the message that brings it to this many
   * (a packed record holds several).
   */
  chunkSize: number;
  logger: Logger;
};

/**
 * Creates the consumer. Offsets are resolved only after Redis acknowledged the pipeline holding the
 * message (and its dead letters reached the DLQ); kafkajs then commits resolved offsets only.
 */
export function createConfirmedConsumer({
  kafka,
  topic,
  groupId,
  epoch,
  applier,
  dlq,
  partitionsConsumedConcurrently,
  sessionTimeoutMs,
  chunkSize,
  logger,
}: CreateConfirmedConsumerParameters): ConfirmedConsumer {
  const consumer: Consumer = kafka.consumer({
    groupId,
    readUncommitted: false,
    sessionTimeout: sessionTimeoutMs,
    rebalanceTimeout: sessionTimeoutMs * 2,
    heartbeatInterval: Math.max(500, Math.floor(sessionTimeoutMs / 10)),
    // Large fetches: a catching-up processor spends less time waiting between batches (kafkajs fetches
    // again only once every batch of the previous fetch is handled).
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxBytes: 32 * 1024 * 1024,
    retry: { retries: 10 },
  });
  const lag = new Map<number, number>();
  // Aborted by stop(): a Redis retry in progress ends and its chunk stays unresolved (uncommitted).
  const stopController = new AbortController();
  let epochLost = false;
  let joined = false;
  let end: (reason: 'epoch' | 'crashed') => void = () => {};
  const ended = new Promise<'epoch' | 'crashed'>((resolve) => {
    end = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) {
      logger.error({ msg: 'Confirmed-events consumer crashed; restarting it', err: event.payload.error });
      end('crashed');
    }
  });

  return {
    ended,
    lag: () => lag,
    joined: () => joined,
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently,
        eachBatch: async ({
          batch,
          resolveOffset,
          heartbeat,
          commitOffsetsIfNecessary,
          isRunning,
          isStale,
        }) => {
          const shouldContinue = () => isRunning() && !isStale() && !epochLost;
          const prepare = (start: number) =>
            start < batch.messages.length
              ? applier.prepare({
                  topic,
                  partition: batch.partition,
                  messages: batch.messages,
                  start,
                  maxEvents: chunkSize,
                  epoch,
                })
              : undefined;
          let next = prepare(0);
          while (next) {
            if (!shouldContinue()) return;
            const chunk = next;
            // Redis works on this chunk while the next one is decoded; the next one is sent only
            // after this one is acknowledged, so a contract's events never reach Redis out of order.
            const applying = applier.apply(chunk, {
              shouldContinue,
              heartbeat,
              signal: stopController.signal,
            });
            next = prepare(chunk.end);
            const outcome = await applying;
            if (outcome.kind === 'epoch') {
              if (!epochLost)
                logger.warn({
                  msg: 'Epoch marker missing or changed; stopping to rebuild',
                  partition: batch.partition,
                });
              epochLost = true;
              end('epoch');
              return;
            }
            if (outcome.kind === 'stopped') return;
            await dlq.send(outcome.deadLetters);
            for (const letter of outcome.deadLetters)
              logger.warn({
                msg: 'Message sent to the DLQ',
                partition: batch.partition,
                offset: letter.message.offset,
                index: letter.index,
                reason: letter.reason,
              });
            resolveOffset(batch.messages[chunk.end - 1]!.offset);
            await heartbeat();
          }
          const behind = Number(batch.offsetLag());
          lag.set(batch.partition, behind);
          processMetrics.lag.set({ topic, partition: String(batch.partition) }, behind);
          await commitOffsetsIfNecessary();
        },
      });
    },
    async stop() {
      epochLost = true;
      stopController.abort(new Error('confirmed consumer stopped'));
      await consumer
        .disconnect()
        .catch((error: unknown) => logger.warn({ msg: 'Consumer disconnect failed', err: error }));
    },
  };
}
