import type { ResolvedConfig } from '../shared/config/index.ts';
import { createDependency, watchStartup } from '../shared/dependency.ts';
import { type BaseError, ConfigError, RedisError } from '../shared/errors/index.ts';
import type { Logger } from '../shared/logger.ts';
import { assertPubSubSupported } from '../shared/pubSubSupport.ts';
import type { RedisClient } from '../shared/redis.ts';
import { createRedis, pubSubModeOf } from '../shared/redis.ts';
import type { Readiness, Role } from '../shared/role.ts';
import { createBatchApplier } from './batch-applier/index.ts';
import { createEpochManager, type EpochManager } from './epoch/index.ts';
import { connectKafka, type KafkaClients } from './lifecycle/connectKafka.ts';
import { type ConsumerLifecycle, createConsumerLifecycle } from './lifecycle/consumerLifecycle.ts';
import { processorReadiness } from './lifecycle/processorReadiness.ts';
import { type ProcessorSettings, resolveProcessorSettings } from './lifecycle/processorSettings.ts';
import { createRebuildProgress, type RebuildProgress } from './lifecycle/rebuildProgress.ts';
import { type SideConsumers, startSideConsumers } from './lifecycle/startSideConsumers.ts';
import { watchDependencies } from './lifecycle/watchDependencies.ts';
import { defineProcessScripts, type ProcessScripts } from './scripts.ts';

export type { Readiness } from '../shared/role.ts';
export {
  type RequestRebuildParameters,
  type RequestRebuildResult,
  requestRebuild,
} from './epoch/requestRebuild.ts';

/** The process role: Kafka → Redis projections, journal and fan-out. */
export interface Processor extends Role {
  /** Wipes the projection and sets a new epoch: every processor replays `events.confirmed` from the start. */
  rebuild(): Promise<void>;
  readiness(): Readiness;
}

/** Tuning knobs with production defaults (tests shorten timeouts). */
export type ProcessorOptions = {
  /** Kafka session timeout (how long a crashed instance holds its partitions). Default: the config's. */
  sessionTimeoutMs?: number;
  /** Blocks within which an applied event stays reversible by REMOVED. Default: the config's. */
  reorgWindowBlocks?: number;
  /** Events per Redis pipeline. Default 500. */
  chunkSize?: number;
  /** How often the epoch marker (Redis) and the cluster (Kafka) are checked. Default 1000 ms. */
  epochCheckIntervalMs?: number;
};

/** Parameters of {@link createProcessor}. */
export type CreateProcessorParameters = {
  config: ResolvedConfig;
  logger?: Logger;
  instanceId?: string;
  options?: ProcessorOptions;
};

/** The processor's Redis connection with the Lua scripts defined on it. */
function createProcessorRedis(settings: ProcessorSettings): RedisClient & ProcessScripts {
  const redis = defineProcessScripts(
    createRedis({
      url: settings.config.redis.url,
      cluster: settings.config.redis.cluster,
      options: { lazyConnect: true, maxRetriesPerRequest: 1, connectionName: 'blockwire-process' },
    }),
    pubSubModeOf(settings.config.redis),
  );
  redis.on('error', () => {}); // failures surface on the commands that hit them (and in readiness)
  return redis;
}

/**
 * Creates a processor. Its run, in order: connect to Kafka (retried while unreachable), start the
 * side consumers, then supervise the confirmed-events consumer epoch after epoch (see
 * {@link createConsumerLifecycle}). Meanwhile a watcher probes Redis and Kafka and notices a changed
 * epoch marker. `readiness()` reports each step and which dependency is down.
 */
export function createProcessor(parameters: CreateProcessorParameters): Processor {
  const settings = resolveProcessorSettings(parameters);
  const { logger, config } = settings;
  const dependencies = {
    kafka: createDependency('Kafka', 'Kafka is unreachable'),
    redis: createDependency('Redis', 'Redis is unavailable'),
  };
  const redis = createProcessorRedis(settings);
  let lastRedisError: string | undefined;
  redis.on('error', (error: Error) => {
    lastRedisError = error.message;
  });
  const epochs: EpochManager = createEpochManager({
    redis,
    keyPrefix: settings.keyPrefix,
    chainIds: config.chains.map((chain) => chain.chainId),
    logger,
  });
  const applier = createBatchApplier({
    redis,
    settings: {
      keyPrefix: settings.keyPrefix,
      journalMaxEntries: config.process.journalMaxEntries,
      reorgWindowBlocks: settings.reorgWindowBlocks,
      slotEpochs: redis.isCluster,
    },
    replicaAcks: redis.isCluster ? config.redis.replicaAcks : 0,
    abiKinds: settings.abiKinds,
    projections: settings.projections,
    logger,
    onRedisState: (available) =>
      available ? dependencies.redis.up() : dependencies.redis.down(new Error('applying a batch failed')),
  });

  const stopController = new AbortController();
  let stage: 'idle' | 'connecting' | 'running' | 'stopping' = 'idle';
  let clients: KafkaClients | undefined;
  let sideConsumers: SideConsumers | undefined;
  let rebuild: RebuildProgress | undefined;
  let lifecycle: ConsumerLifecycle | undefined;
  let stopWatching: () => void = () => {};
  let stopStartupWatch: () => void = () => {};
  let startupFailure: BaseError | undefined;
  let settle: { resolve: () => void; reject: (error: unknown) => void } = {
    resolve: () => {},
    reject: () => {},
  };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});

  async function run(onFirstAttempt: () => void): Promise<void> {
    stage = 'connecting';
    clients = await connectKafka({
      settings,
      kafkaDependency: dependencies.kafka,
      signal: stopController.signal,
      onFirstAttempt,
    });
    if (stopController.signal.aborted) return;
    try {
      await assertPubSubSupported(redis, pubSubModeOf(config.redis));
    } catch (error) {
      // Only a version too old stops the processor; an unreachable Redis is the dependency watch's.
      if (error instanceof ConfigError) throw error;
    }
    stage = 'running';
    sideConsumers = startSideConsumers({
      settings,
      clients,
      redis,
      stopping: () => stage === 'stopping',
      processorGroup: () => {
        const phase = lifecycle?.phase();
        return phase && 'group' in phase ? phase.group : undefined;
      },
    });
    rebuild = createRebuildProgress({
      kafka: clients.kafka,
      admin: clients.admin,
      topic: settings.topics.confirmed,
      logger,
    });
    lifecycle = createConsumerLifecycle({
      settings,
      clients,
      epochs,
      applier,
      rebuild,
      dependencies,
      signal: stopController.signal,
    });
    await lifecycle.run();
  }

  async function closeConnections(): Promise<void> {
    stopStartupWatch();
    stopWatching();
    await lifecycle?.stop();
    await sideConsumers?.stop();
    await clients?.producer.disconnect().catch(() => {});
    await clients?.admin.disconnect().catch(() => {});
    redis.disconnect();
  }

  return {
    done,
    async start() {
      if (stage !== 'idle') return;
      stopWatching = watchDependencies({
        epochs,
        dependencies,
        intervalMs: settings.epochCheckIntervalMs,
        admin: () => clients?.admin,
        onEpochMarker: (value) => lifecycle?.observeEpochMarker(value),
        onKafkaTick: async () => {
          const phase = lifecycle?.phase();
          if (phase && 'group' in phase) await rebuild?.check(phase.group, phase.epoch);
        },
      });
      // Kafka and Redis must each answer once within connectTimeoutMs, or the processor stops saying
      // which one did not (later outages are retried and shown by readiness).
      stopStartupWatch = watchStartup({
        role: 'process',
        timeoutMs: config.connectTimeoutMs,
        targets: [
          { kind: 'kafka', dependency: dependencies.kafka, endpoint: config.kafka.brokers.join(',') },
          {
            kind: 'redis',
            dependency: dependencies.redis,
            endpoint: config.redis.url,
            lastError: () => lastRedisError,
          },
        ],
        onUnreachable: (error) => {
          startupFailure = error;
          stage = 'stopping';
          stopController.abort(error);
          void closeConnections().then(() => settle.reject(error));
        },
      });
      let firstAttempt: () => void = () => {};
      const attempted = new Promise<void>((resolve) => {
        firstAttempt = resolve;
      });
      const running = run(firstAttempt);
      running.then(
        () => {
          if (!startupFailure) settle.resolve();
        },
        async (error: unknown) => {
          if (startupFailure) return;
          if (stopController.signal.aborted) return settle.resolve();
          stage = 'stopping';
          stopController.abort(error);
          await closeConnections();
          settle.reject(error);
        },
      );
      // Resolves once Kafka answered (or failed once: the retries go on in the background).
      await Promise.race([attempted, running.catch(() => {})]);
    },
    async stop() {
      if (stage === 'stopping') return done.catch(() => {});
      const wasIdle = stage === 'idle';
      stage = 'stopping';
      stopController.abort(new Error('processor stopped'));
      await closeConnections();
      if (wasIdle) settle.resolve();
      await done.catch(() => {});
    },
    async rebuild() {
      try {
        const epoch = await epochs.forceRebuild();
        logger.warn({ msg: 'Rebuild requested; processors will replay events.confirmed', epoch });
      } catch (error) {
        throw new RedisError('Could not force a rebuild', { cause: error, retriable: true });
      } finally {
        if (stage === 'idle') redis.disconnect();
      }
    },
    readiness: () =>
      processorReadiness({
        stage: stage === 'running' ? (lifecycle?.phase() ?? 'connecting') : stage,
        kafka: dependencies.kafka,
        redis: dependencies.redis,
        rebuilding: rebuild?.active() ?? false,
      }),
  };
}
