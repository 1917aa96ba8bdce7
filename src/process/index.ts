import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { topicNames } from '../domain/index.ts';
import type { AbiKind, ResolvedConfig } from '../shared/config/index.ts';
import { RedisError } from '../shared/errors/index.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../shared/kafka.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createRedis } from '../shared/redis.ts';
import { backoffDelay, withRetry } from '../shared/retry.ts';
import { createBatchApplier } from './batch-applier/index.ts';
import { type CheckpointConsumer, createCheckpointConsumer } from './checkpoint-consumer/index.ts';
import { type ConfirmedConsumer, createConfirmedConsumer } from './confirmed-consumer/index.ts';
import { createDlq } from './dlq/index.ts';
import { createEpochManager } from './epoch/index.ts';
import { processMetrics } from './metrics.ts';
import { createPendingConsumer, type PendingConsumer } from './pending-consumer/index.ts';
import { defineProcessScripts } from './scripts.ts';

/** Whether a processor should receive traffic, and why not. */
export type Readiness = { ready: boolean; reason?: string };

/** The process role: Kafka → Redis projections, journal and fan-out. */
export type Processor = {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Settles when the processor stopped. */
  done: Promise<void>;
  /** Wipes the projection and sets a new epoch: every processor replays `events.confirmed` from the start. */
  rebuild(): Promise<void>;
  readiness(): Readiness;
};

/** Tuning knobs with production defaults (tests shorten timeouts). */
export type ProcessorOptions = {
  /** Kafka session timeout (how long a crashed instance holds its partitions). Default: the config's. */
  sessionTimeoutMs?: number;
  /** Blocks within which an applied event stays reversible by REMOVED. Default: the config's. */
  reorgWindowBlocks?: number;
  /** Events per Redis pipeline. Default 500. */
  chunkSize?: number;
  /** How often the epoch marker is checked when no batch arrives. Default 1000 ms. */
  epochCheckIntervalMs?: number;
};

/** Parameters of {@link createProcessor}. */
export type CreateProcessorParameters = {
  config: ResolvedConfig;
  logger?: Logger;
  instanceId?: string;
  options?: ProcessorOptions;
};

/**
 * Creates a processor. Each epoch (see `epochKey`) has its own consumer group, so a new epoch always
 * replays `events.confirmed` from offset 0 on every instance, whichever partitions it gets.
 */
export function createProcessor({
  config,
  logger: parentLogger,
  instanceId,
  options = {},
}: CreateProcessorParameters): Processor {
  const logger = parentLogger ?? createLogger('process', instanceId ? { instance_id: instanceId } : {});
  const topics = topicNames(config.kafka.topicPrefix);
  const keyPrefix = config.redis.keyPrefix;
  const baseGroup = config.process.groupId ?? `${config.kafka.topicPrefix}.process`;
  const sessionTimeoutMs = options.sessionTimeoutMs ?? config.process.sessionTimeoutMs;
  const abiKinds = new Map<string, AbiKind>();
  for (const chain of config.chains)
    for (const contract of chain.contracts)
      abiKinds.set(`${chain.chainId}:${contract.address}`, contract.abiKind);

  const redis = defineProcessScripts(
    createRedis({
      url: config.redis.url,
      options: { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'blockwire-process' },
    }),
  );
  redis.on('error', () => {}); // failures surface on the commands that hit them
  const epochs = createEpochManager({
    redis,
    keyPrefix,
    chainIds: config.chains.map((chain) => chain.chainId),
    logger,
  });

  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let checkpoints: CheckpointConsumer | undefined;
  let pending: PendingConsumer | undefined;
  let confirmed: ConfirmedConsumer | undefined;
  let currentEpoch: string | undefined;
  let currentGroup: string | undefined;
  let started = false;
  let stopping = false;
  let redisAvailable = true;
  let rebuildTarget: Map<number, bigint> | undefined;
  let watcher: NodeJS.Timeout | undefined;
  const stopController = new AbortController();
  let epochChanged: () => void = () => {};
  let resolveDone: () => void = () => {};
  let rejectDone: (error: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => {});

  async function beginRebuild(epoch: string): Promise<void> {
    processMetrics.rebuilds.inc();
    processMetrics.rebuilding.set(1);
    logger.warn({ msg: 'Rebuilding the projection: replaying events.confirmed from the beginning', epoch });
    const offsets = await admin!.fetchTopicOffsets(topics.confirmed);
    rebuildTarget = new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
  }

  async function checkRebuildDone(): Promise<void> {
    if (!rebuildTarget || !currentGroup || !admin) return;
    const [committed] = await admin.fetchOffsets({ groupId: currentGroup, topics: [topics.confirmed] });
    const byPartition = new Map(
      (committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]),
    );
    for (const [partition, high] of rebuildTarget)
      if (high > 0n && (byPartition.get(partition) ?? -1n) < high) return;
    rebuildTarget = undefined;
    processMetrics.rebuilding.set(0);
    logger.info({ msg: 'Rebuild complete: caught up with events.confirmed', epoch: currentEpoch });
  }

  async function watch(): Promise<void> {
    try {
      const value = await epochs.read();
      redisAvailable = true;
      if (currentEpoch && value !== currentEpoch) epochChanged();
      await checkRebuildDone();
    } catch {
      redisAvailable = false;
    }
  }

  async function supervise(): Promise<void> {
    for (let attempt = 1; !stopping; ) {
      try {
        const { epoch, created } = await epochs.establish(stopController.signal);
        if (stopping) break;
        if (created || (currentEpoch !== undefined && epoch !== currentEpoch)) await beginRebuild(epoch);
        const previousGroup = currentGroup;
        currentEpoch = epoch;
        currentGroup = `${baseGroup}.${epoch}`;
        const changed = new Promise<'epoch'>((resolve) => {
          epochChanged = () => resolve('epoch');
        });
        confirmed = createConfirmedConsumer({
          kafka: kafka!,
          topic: topics.confirmed,
          groupId: currentGroup,
          epoch,
          applier,
          dlq: createDlq({ producer: producer!, topic: topics.dlq }),
          partitionsConsumedConcurrently: config.kafka.partitions,
          sessionTimeoutMs,
          chunkSize: options.chunkSize ?? 500,
          logger,
        });
        await confirmed.start();
        logger.info({ msg: 'Consuming events.confirmed', epoch, group_id: currentGroup });
        if (previousGroup && previousGroup !== currentGroup)
          void admin!.deleteGroups([previousGroup]).catch(() => {}); // fails while other members remain; harmless
        attempt = 1;
        const stopped = new Promise<'stop'>((resolve) =>
          stopController.signal.addEventListener('abort', () => resolve('stop')),
        );
        const reason = await Promise.race([confirmed.ended, changed, stopped]);
        await confirmed.stop();
        confirmed = undefined;
        if (reason === 'crashed') await sleep(backoffDelay(attempt++, 500, 10_000));
      } catch (error) {
        if (stopping) break;
        redisAvailable = false;
        const delayMs = backoffDelay(attempt++, 200, 10_000);
        logger.warn({
          msg: 'Processor could not (re)start consuming; retrying',
          delay_ms: delayMs,
          err: error,
        });
        await confirmed?.stop();
        confirmed = undefined;
        await sleep(delayMs);
      }
    }
  }

  const applier = createBatchApplier({
    redis,
    settings: {
      keyPrefix,
      journalMaxEntries: config.process.journalMaxEntries,
      reorgWindowBlocks: options.reorgWindowBlocks ?? config.process.reorgWindowBlocks,
    },
    abiKinds,
    logger,
    onRedisState: (available) => {
      redisAvailable = available;
    },
  });

  return {
    done,
    async start() {
      if (started) return;
      started = true;
      kafka = createKafka({
        brokers: config.kafka.brokers,
        clientId: instanceId
          ? `${config.kafka.clientId}-process-${instanceId}`
          : `${config.kafka.clientId}-process`,
        logger,
      });
      admin = kafka.admin();
      await admin.connect();
      // Topic metadata can lag right after creation (UNKNOWN_TOPIC_OR_PARTITION is retriable).
      const connectedAdmin = admin;
      await withRetry(
        () =>
          ensureTopics({
            admin: connectedAdmin,
            topics: blockwireTopics(config.kafka),
          }),
        {
          retries: 10,
          initialDelayMs: 200,
          shouldRetry: (error) => (error as { retriable?: boolean }).retriable !== false,
        },
      );
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const dlq = createDlq({ producer, topic: topics.dlq });
      checkpoints = createCheckpointConsumer({
        kafka,
        topic: topics.checkpoints,
        groupId: `${baseGroup}.checkpoints`,
        redis,
        keyPrefix,
        dlq,
        logger,
        sessionTimeoutMs,
        confirmedTopic: topics.confirmed,
        processorGroup: () => currentGroup,
      });
      pending = createPendingConsumer({
        kafka,
        topic: topics.pending,
        groupId: `${baseGroup}.pending`,
        redis,
        keyPrefix,
        dlq,
        logger,
        sessionTimeoutMs,
      });
      // Side consumers join their own groups in the background: a rebalance there (e.g. a crashed
      // instance still holding its session) must not delay applying confirmed events.
      for (const [name, side] of [
        ['checkpoints', checkpoints],
        ['pending', pending],
      ] as const)
        void side.start().catch((error: unknown) => {
          if (!stopping) logger.error({ msg: 'Side consumer failed to start', consumer: name, err: error });
        });
      watcher = setInterval(() => void watch(), options.epochCheckIntervalMs ?? 1_000);
      void supervise().then(
        () => resolveDone(),
        (error: unknown) => rejectDone(error),
      );
    },
    async stop() {
      if (stopping) return done;
      stopping = true;
      if (watcher) clearInterval(watcher);
      stopController.abort(new Error('processor stopped'));
      if (!started) resolveDone();
      await confirmed?.stop();
      await Promise.all([checkpoints?.stop(), pending?.stop()]);
      await producer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
      redis.disconnect();
      await done.catch(() => {});
    },
    async rebuild() {
      try {
        const epoch = await epochs.forceRebuild();
        logger.warn({ msg: 'Rebuild requested; processors will replay events.confirmed', epoch });
      } catch (error) {
        throw new RedisError('Could not force a rebuild', { cause: error, retriable: true });
      } finally {
        if (!started) redis.disconnect();
      }
    },
    readiness() {
      if (!started || stopping) return { ready: false, reason: stopping ? 'stopping' : 'not started' };
      if (!redisAvailable) return { ready: false, reason: 'Redis is unavailable; consumption paused' };
      if (rebuildTarget) return { ready: false, reason: 'rebuilding the projection from events.confirmed' };
      if (!confirmed?.joined()) return { ready: false, reason: 'joining the consumer group' };
      return { ready: true };
    },
  };
}
