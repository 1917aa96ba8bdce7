import type { Dependency } from '../../shared/dependency.ts';
import { KafkaError, RedisError } from '../../shared/errors/index.ts';
import { isKafkaRetriable } from '../../shared/isKafkaRetriable.ts';
import { withRetry } from '../../shared/retry.ts';
import type { BatchApplier } from '../batch-applier/index.ts';
import { type ConfirmedConsumer, createConfirmedConsumer } from '../confirmed-consumer/index.ts';
import { createDlq } from '../dlq/index.ts';
import type { EpochManager } from '../epoch/index.ts';
import type { KafkaClients } from './connectKafka.ts';
import type { ProcessorSettings } from './processorSettings.ts';
import type { RebuildProgress } from './rebuildProgress.ts';

/**
 * Where the confirmed-events consumer is. One generation runs per epoch:
 * `establishing-epoch` → `starting` → `consuming` → (epoch changed: next generation at once;
 * crashed or a dependency failed: next generation after a backoff) … → `stopped`.
 */
export type ConsumerPhase =
  | { name: 'establishing-epoch' }
  | { name: 'starting'; epoch: string; group: string; consumer: ConfirmedConsumer }
  | { name: 'consuming'; epoch: string; group: string; consumer: ConfirmedConsumer }
  | { name: 'stopped' };

/** Supervises the confirmed-events consumer across epochs, crashes and outages. */
export type ConsumerLifecycle = {
  phase(): ConsumerPhase;
  /** Runs generations until `signal` aborts; rejects only on an error that retrying cannot fix. */
  run(): Promise<void>;
  /** Tells the lifecycle what the epoch marker holds now; a change ends the current generation. */
  observeEpochMarker(value: string | null): void;
  /** Stops the current consumer at once, even one still starting (after `signal` aborted). */
  stop(): Promise<void>;
};

/** Parameters of {@link createConsumerLifecycle}. */
export type CreateConsumerLifecycleParameters = {
  settings: ProcessorSettings;
  clients: KafkaClients;
  epochs: EpochManager;
  applier: BatchApplier;
  rebuild: RebuildProgress;
  dependencies: { kafka: Dependency; redis: Dependency };
  signal: AbortSignal;
};

type Ending = 'epoch' | 'crashed' | 'stop';

/**
 * Creates the lifecycle. Each epoch has its own consumer group, so a new epoch replays
 * `events.confirmed` from offset 0 on every instance, whichever partitions it gets.
 */
export function createConsumerLifecycle({
  settings,
  clients,
  epochs,
  applier,
  rebuild,
  dependencies,
  signal,
}: CreateConsumerLifecycleParameters): ConsumerLifecycle {
  const { logger, topics, baseGroup } = settings;
  let phase: ConsumerPhase = { name: 'establishing-epoch' };
  let currentEpoch: string | undefined;
  let previousGroup: string | undefined;
  let endGeneration: (ending: Ending) => void = () => {};

  /** A Redis step: its failure marks Redis down and is retried. */
  const redisStep = <T>(what: string, operation: () => Promise<T>) =>
    dependencies.redis.track(operation).catch((error: unknown) => {
      throw new RedisError(`${what} failed`, { cause: error, retriable: true });
    });
  /** A Kafka step: its failure marks Kafka down and is retried when kafkajs says it may be. */
  const kafkaStep = <T>(what: string, operation: () => Promise<T>) =>
    dependencies.kafka.track(operation).catch((error: unknown) => {
      throw new KafkaError(`${what} failed`, {
        cause: error,
        retriable: isKafkaRetriable(error),
      });
    });

  async function establishEpoch(): Promise<{ epoch: string; group: string }> {
    phase = { name: 'establishing-epoch' };
    const { epoch, created } = await redisStep('Establishing the epoch', () => epochs.establish(signal));
    if (created || (currentEpoch !== undefined && epoch !== currentEpoch))
      await kafkaStep('Reading the end offsets of events.confirmed', () => rebuild.begin(epoch));
    currentEpoch = epoch;
    return { epoch, group: `${baseGroup}.${epoch}` };
  }

  async function startConsumer(epoch: string, group: string): Promise<ConfirmedConsumer> {
    const consumer = createConfirmedConsumer({
      kafka: clients.kafka,
      topic: topics.confirmed,
      groupId: group,
      epoch,
      applier,
      dlq: createDlq({ producer: clients.producer, topic: topics.dlq }),
      partitionsConsumedConcurrently: settings.config.kafka.partitions,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      chunkSize: settings.chunkSize,
      logger,
    });
    phase = { name: 'starting', epoch, group, consumer };
    try {
      await kafkaStep('Starting the events.confirmed consumer', () => consumer.start());
    } catch (error) {
      await consumer.stop();
      throw error;
    }
    phase = { name: 'consuming', epoch, group, consumer };
    logger.info({ msg: 'Consuming events.confirmed', epoch, group_id: group });
    if (previousGroup && previousGroup !== group)
      void clients.admin.deleteGroups([previousGroup]).catch(() => {}); // fails while other members remain; harmless
    previousGroup = group;
    return consumer;
  }

  async function consumeUntilEnded(consumer: ConfirmedConsumer): Promise<Ending> {
    const ending = new Promise<Ending>((resolve) => {
      endGeneration = resolve;
      if (signal.aborted) resolve('stop');
      signal.addEventListener('abort', () => resolve('stop'), { once: true });
    });
    try {
      return await Promise.race([consumer.ended, ending]);
    } finally {
      await consumer.stop();
      phase = { name: 'establishing-epoch' };
    }
  }

  /** One generation: epoch, consumer, consumption until it ends. Throws to be retried after a backoff. */
  async function runGeneration(): Promise<Ending> {
    const { epoch, group } = await establishEpoch();
    if (signal.aborted) return 'stop';
    const consumer = await startConsumer(epoch, group);
    const ending = await consumeUntilEnded(consumer);
    if (ending === 'crashed')
      throw new KafkaError('The events.confirmed consumer crashed; restarting it', { retriable: true });
    return ending;
  }

  return {
    phase: () => phase,
    async run() {
      try {
        // A generation that ends because the epoch changed starts the next at once (fresh attempts).
        while ((await withRetryUntilAborted(runGeneration)) === 'epoch');
      } finally {
        phase = { name: 'stopped' };
      }
    },
    observeEpochMarker(value) {
      if (phase.name === 'consuming' && value !== phase.epoch) endGeneration('epoch');
    },
    async stop() {
      endGeneration('stop');
      if (phase.name === 'consuming' || phase.name === 'starting') await phase.consumer.stop();
    },
  };

  async function withRetryUntilAborted(generation: () => Promise<Ending>): Promise<Ending> {
    try {
      return await withRetry(generation, {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 200,
        maxDelayMs: 10_000,
        onRetry: (error, attempt, delayMs) =>
          logger.warn({
            msg: 'Processor could not (re)start consuming; retrying',
            attempt,
            delay_ms: delayMs,
            err: error,
          }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) return 'stop';
      throw error;
    }
  }
}
