import { hostname } from 'node:os';
import type { Admin } from 'kafkajs';
import { createPublicClient, http } from 'viem';
import { topicNames } from '../domain/index.ts';
import { abortable } from '../shared/abortable.ts';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { createDependency, type StartupTarget, startProbes, watchStartup } from '../shared/dependency.ts';
import { BaseError, KafkaError } from '../shared/errors/index.ts';
import { isKafkaRetriable } from '../shared/isKafkaRetriable.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../shared/kafka.ts';
import { logConnectionErrors } from '../shared/logConnectionErrors.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createRedis } from '../shared/redis.ts';
import { withRetry } from '../shared/retry.ts';
import type { Readiness, Role } from '../shared/role.ts';
import { createChainIngestor } from './chain-ingestor/index.ts';

/** Parameters of {@link createIngest}. */
export type CreateIngestParameters = {
  config: ResolvedConfig;
  logger?: Logger;
  /** Names this instance in the chain lock and logs. Default: hostname + pid. */
  instanceId?: string;
  /** Lock TTL in ms; a standby takes over within it. Default `ingest.lockTtlMs` of the config. */
  lockTtlMs?: number;
  /** How often Kafka and Redis are probed for readiness. Default 1000 ms. */
  probeIntervalMs?: number;
  /**
   * How long Kafka, Redis and each chain's RPC may take to answer once at start before the role
   * stops (`done` rejects with a `*_UNREACHABLE` error naming the endpoint). Default: the config's
   * `connectTimeoutMs`; 0 waits forever.
   */
  connectTimeoutMs?: number;
};

/**
 * The ingest role: one loop per configured chain, chain → Kafka. `start()` resolves once the topics
 * exist (or creating them failed once: it is retried while Kafka is unreachable, and readiness says
 * so); `done` rejects with a BaseError on a fatal error.
 */
export interface Ingest extends Role {
  readiness(): Readiness;
}

/** The innermost cause's message (`connect ECONNREFUSED …`): shorter than viem's, and without the URL. */
function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** Creates the ingest role; see {@link Ingest}. */
export function createIngest({
  config,
  logger: parentLogger,
  instanceId = `${hostname()}:${process.pid}`,
  lockTtlMs: lockTtlOption,
  probeIntervalMs = 1_000,
  connectTimeoutMs = config.connectTimeoutMs,
}: CreateIngestParameters): Ingest {
  const logger = parentLogger ?? createLogger('ingest');
  const lockTtlMs = lockTtlOption ?? config.ingest.lockTtlMs;
  const topics = topicNames(config.kafka.topicPrefix);
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-ingest`,
    logger,
  });
  const redis = createRedis({
    url: config.redis.url,
    cluster: config.redis.cluster,
    options: { maxRetriesPerRequest: 2 },
  });
  const lastRedisError = logConnectionErrors({ client: redis, logger });
  const dependencies = {
    kafka: createDependency('Kafka', 'Kafka is unreachable'),
    redis: createDependency('Redis', 'Redis is unavailable'),
  };
  // Asked once at start (eth_chainId) until it answers, so an unreachable node stops the role even on
  // a standby that would not call it until it takes over; the chain loops report later outages.
  const rpcChecks = config.chains.map((chain, index) => ({
    client: createPublicClient({ transport: http(chain.rpc.http, { retryCount: 0, timeout: 10_000 }) }),
    target: {
      kind: 'rpc',
      dependency: createDependency('RPC', 'the RPC does not answer'),
      endpoint: chain.rpc.http,
      chain: { chainId: chain.chainId, index },
    } satisfies StartupTarget,
  }));
  let startupFailure: BaseError | undefined;
  let stopStartupWatch: () => void = () => {};
  const controller = new AbortController();
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});
  let stage: 'idle' | 'creating-topics' | 'running' | 'stopping' = 'idle';
  let admin: Admin | undefined;
  let stopProbes: () => void = () => {};

  const close = async () => {
    stopStartupWatch();
    stopProbes();
    await admin?.disconnect().catch(() => {});
    redis.disconnect();
  };

  /** Creates the topics, retrying while Kafka is unreachable; an error kafkajs marks fatal stops the role. */
  async function createTopics(connecting: Admin, onFirstAttempt: () => void): Promise<void> {
    try {
      await withRetry(
        async (attempt) => {
          try {
            const creating = dependencies.kafka.track(async () => {
              await connecting.connect();
              await ensureTopics({ admin: connecting, topics: blockwireTopics(config.kafka) });
            });
            await abortable(creating, controller.signal);
          } finally {
            if (attempt === 1) onFirstAttempt();
          }
        },
        {
          retries: Number.POSITIVE_INFINITY,
          initialDelayMs: 200,
          maxDelayMs: 10_000,
          shouldRetry: isKafkaRetriable,
          onRetry: (error, attempt, delayMs) =>
            logger.warn({ msg: 'Kafka is unreachable; retrying', attempt, delay_ms: delayMs, err: error }),
          signal: controller.signal,
        },
      );
    } catch (error) {
      if (controller.signal.aborted) throw error;
      throw new KafkaError(
        `Creating the Kafka topics under prefix ${config.kafka.topicPrefix} failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  function runChains(): Promise<void> {
    const loops = config.chains.map((chain) =>
      createChainIngestor({
        chain,
        kafka,
        redis,
        topics,
        topicPrefix: config.kafka.topicPrefix,
        eventsPerRecord: config.kafka.eventsPerRecord,
        keyPrefix: config.redis.keyPrefix,
        instanceId,
        logger,
        lockTtlMs,
        options: {
          windowSize: chain.headerWindowBlocks,
          backfillConcurrency: config.ingest.backfillConcurrency,
          blocksPerTransaction: config.ingest.blocksPerTransaction,
        },
      }).run(controller.signal),
    );
    return Promise.all(loops).then(
      () => undefined,
      async (error: unknown) => {
        controller.abort(error);
        await Promise.allSettled(loops);
        throw error;
      },
    );
  }

  async function run(onFirstAttempt: () => void): Promise<void> {
    stage = 'creating-topics';
    await createTopics(admin!, onFirstAttempt);
    if (controller.signal.aborted) return;
    stage = 'running';
    await runChains();
  }

  return {
    done,
    async start() {
      if (stage !== 'idle') return;
      admin = kafka.admin();
      const connected = admin;
      stopProbes = startProbes(
        [
          { dependency: dependencies.redis, call: () => redis.ping() },
          ...rpcChecks.map(({ client, target }) => ({
            dependency: target.dependency,
            call: () =>
              target.dependency.answered()
                ? undefined
                : client.getChainId().catch((error: unknown) => {
                    throw new Error(innermostMessage(error));
                  }),
          })),
          {
            dependency: dependencies.kafka,
            call: () => (stage === 'running' ? connected.describeCluster() : undefined),
          },
        ],
        probeIntervalMs,
      );
      stopStartupWatch = watchStartup({
        role: 'ingest',
        timeoutMs: connectTimeoutMs,
        targets: [
          { kind: 'kafka', dependency: dependencies.kafka, endpoint: config.kafka.brokers.join(',') },
          {
            kind: 'redis',
            dependency: dependencies.redis,
            endpoint: config.redis.url,
            lastError: lastRedisError,
          },
          ...rpcChecks.map(({ target }) => target),
        ],
        onUnreachable: (error) => {
          startupFailure = error;
          controller.abort(error);
        },
      });
      let firstAttempt: () => void = () => {};
      const attempted = new Promise<void>((resolve) => {
        firstAttempt = resolve;
      });
      const running = run(firstAttempt);
      running.then(
        async () => {
          await close();
          if (startupFailure) settle?.reject(startupFailure);
          else settle?.resolve();
        },
        async (error: unknown) => {
          await close();
          if (startupFailure) return settle?.reject(startupFailure);
          if (controller.signal.aborted && stage === 'stopping') return settle?.resolve();
          const fatal =
            error instanceof BaseError
              ? error
              : new BaseError(`Ingest stopped: ${(error as Error).message}`, {
                  code: 'INGEST_FAILED',
                  cause: error,
                });
          settle?.reject(fatal);
        },
      );
      await Promise.race([attempted, running.catch(() => {})]);
    },
    async stop() {
      if (stage === 'idle') {
        stage = 'stopping';
        await close();
        settle?.resolve();
        return;
      }
      stage = 'stopping';
      controller.abort(new Error('ingest stopped'));
      await done.catch(() => {});
    },
    readiness() {
      const dependencyStates = { kafka: dependencies.kafka.status(), redis: dependencies.redis.status() };
      if (stage === 'idle') return { ready: false, reason: 'not started', ...dependencyStates };
      if (stage === 'stopping') return { ready: false, reason: 'stopping', ...dependencyStates };
      const down = [dependencies.kafka.reason(), dependencies.redis.reason()].filter((reason) => reason);
      if (down.length > 0) return { ready: false, reason: down.join('; '), ...dependencyStates };
      if (stage === 'creating-topics')
        return { ready: false, reason: 'creating the Kafka topics', ...dependencyStates };
      return { ready: true, ...dependencyStates };
    },
  };
}
