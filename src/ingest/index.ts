import { hostname } from 'node:os';
import { topicNames } from '../domain/index.ts';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { BaseError, KafkaError } from '../shared/errors/index.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../shared/kafka.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { createRedis } from '../shared/redis.ts';
import { createChainIngestor } from './chain-ingestor/index.ts';

/** Parameters of {@link createIngest}. */
export type CreateIngestParameters = {
  config: ResolvedConfig;
  logger?: Logger;
  /** Names this instance in the chain lock and logs. Default: hostname + pid. */
  instanceId?: string;
  /** Lock TTL in ms; a standby takes over within it. Default `ingest.lockTtlMs` of the config. */
  lockTtlMs?: number;
};

/** The ingest role: one loop per configured chain, chain → Kafka. */
export type Ingest = {
  /** Creates the topics and starts the chain loops (each waits for its chain lock). */
  start(): Promise<void>;
  /** Stops the loops, releases the locks and closes connections. */
  stop(): Promise<void>;
  /** Settles when the role stops; rejects with a BaseError on a fatal error. */
  done: Promise<void>;
};

/** Creates the ingest role; see {@link Ingest}. */
export function createIngest({
  config,
  logger: parentLogger,
  instanceId = `${hostname()}:${process.pid}`,
  lockTtlMs: lockTtlOption,
}: CreateIngestParameters): Ingest {
  const logger = parentLogger ?? createLogger('ingest');
  const lockTtlMs = lockTtlOption ?? config.ingest.lockTtlMs;
  const topics = topicNames(config.kafka.topicPrefix);
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-ingest`,
    logger,
  });
  const redis = createRedis({ url: config.redis.url, options: { maxRetriesPerRequest: 2 } });
  redis.on('error', (error) => logger.warn({ msg: 'Redis connection error', err: error.message }));
  const controller = new AbortController();
  let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});
  let running: Promise<void> | undefined;
  let stopped = false;

  const close = async () => {
    redis.disconnect();
  };

  return {
    done,
    async start() {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await ensureTopics({
          admin,
          topics: blockwireTopics(config.kafka),
        });
      } catch (error) {
        await close();
        throw new KafkaError(
          `Creating the Kafka topics under prefix ${config.kafka.topicPrefix} failed: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      } finally {
        await admin.disconnect().catch(() => {});
      }
      const loops = config.chains.map((chain) =>
        createChainIngestor({
          chain,
          kafka,
          redis,
          topics,
          topicPrefix: config.kafka.topicPrefix,
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
      running = Promise.all(loops).then(
        () => undefined,
        (error: unknown) => {
          controller.abort(error);
          throw error;
        },
      );
      running
        .then(async () => {
          await close();
          settle?.resolve();
        })
        .catch(async (error: unknown) => {
          await Promise.allSettled(loops);
          await close();
          const fatal =
            error instanceof BaseError
              ? error
              : new BaseError(`Ingest stopped: ${(error as Error).message}`, {
                  code: 'INGEST_FAILED',
                  cause: error,
                });
          if (!stopped)
            logger.error({ msg: 'Ingest stopped on a fatal error', code: fatal.code, err: fatal.message });
          settle?.reject(fatal);
        });
    },
    async stop() {
      stopped = true;
      controller.abort(new Error('ingest stopped'));
      if (running) await done.catch(() => {});
      else {
        await close();
        settle?.resolve();
      }
    },
  };
}
