import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboardHandler } from '../dashboard/index.ts';
import { abortable } from '../shared/abortable.ts';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { dependencyUnreachableError } from '../shared/dependency.ts';
import { BaseError } from '../shared/errors/index.ts';
import { logConnectionErrors } from '../shared/logConnectionErrors.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { collectProcessMetrics } from '../shared/metrics.ts';
import { assertPubSubSupported } from '../shared/pubSubSupport.ts';
import { createRedis, pubSubModeOf } from '../shared/redis.ts';
import { withRetry } from '../shared/retry.ts';
import { collectReadiness, type Readiness, type ReadinessReport, type Role } from '../shared/role.ts';
import type { GatewayServices } from './context.ts';
import { createChannelHub } from './pubsub/channelHub.ts';
import { buildSchema } from './schema/buildSchema.ts';
import { createCatalog } from './schema/catalog.ts';
import { attachWebSocket, type WebSocketEndpoint } from './server/attachWebSocket.ts';
import { createAuthenticate, createRequestViewer } from './server/authenticate.ts';
import { createRequestHandler } from './server/createRequestHandler.ts';
import { createYogaServer } from './server/createYogaServer.ts';
import { gatewayReadiness } from './server/gatewayReadiness.ts';
import { createRateLimiter } from './server/rateLimiter.ts';

export { printSchemaFromConfig } from './printSchema.ts';

/** Parameters of {@link createGateway}. */
export type CreateGatewayParameters = {
  config: ResolvedConfig;
  logger?: Logger;
  /** Close WebSockets that send no connection_init within this time; default 3 s. */
  connectionInitWaitTimeout?: number;
  /**
   * What `/readyz` answers: the readiness of every role in this process (the CLI passes all it runs).
   * Default: the gateway's own.
   */
  readinessReport?: () => Promise<ReadinessReport>;
};

/** The GraphQL gateway role (Redis → GraphQL over HTTP, SSE and WebSocket). */
export interface Gateway extends Role<{ url: string }> {
  /**
   * Connects to Redis and listens; resolves with the GraphQL endpoint URL. `done` rejects when the
   * HTTP server fails or closes after that without `stop()`.
   */
  start(): Promise<{ url: string }>;
  /** Ready when Redis answers and holds a complete projection. */
  readiness(): Promise<Readiness>;
  /** The HTTP server once listening (for embedding and diagnostics). */
  readonly httpServer: Server | undefined;
  /**
   * Current counts, for tests and diagnostics. `listeners` counts the subscriptions receiving live
   * channel messages, by their own channel listener or through a render group's live fan;
   * `sharedLive` those of them delivered by a live fan.
   */
  stats(): {
    redisChannels: number;
    listeners: number;
    sharedLive: number;
    webSocketClients: number;
    renderGroups: number;
  };
}

/** Creates the gateway role: graphql-yoga + Pothos schema from the configured ABIs on one port. */
export function createGateway(params: CreateGatewayParameters): Gateway {
  const { config } = params;
  const logger = params.logger ?? createLogger('gateway');
  let server: Server | undefined;
  let ws: WebSocketEndpoint | undefined;
  let services: GatewayServices | undefined;
  let stopping: Promise<void> | undefined;
  let settle: { resolve: () => void; reject: (error: unknown) => void } = {
    resolve: () => {},
    reject: () => {},
  };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {});

  let failure: BaseError | undefined;

  /** A failure of the listening server ends the role: it closes everything, then `done` rejects. */
  function failAfterListening(error: BaseError): void {
    if (stopping) return;
    failure = error;
    void gateway.stop();
  }

  /**
   * Pings both connections until they answer, for at most `connectTimeoutMs` (0: forever); then
   * closes them and throws the one-line REDIS_UNREACHABLE error every role stops with.
   */
  async function waitForRedis(
    clients: ReturnType<typeof createRedis>[],
    lastConnectionError: () => string | undefined,
  ): Promise<void> {
    const timeoutMs = config.connectTimeoutMs;
    const deadline = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : new AbortController().signal;
    let lastError: unknown;
    try {
      await withRetry(() => abortable(Promise.all(clients.map((client) => client.ping())), deadline), {
        retries: Number.POSITIVE_INFINITY,
        initialDelayMs: 200,
        maxDelayMs: 2_000,
        shouldRetry: (error) => {
          lastError = error;
          return true;
        },
        signal: deadline,
      });
    } catch {
      for (const client of clients) client.disconnect();
      throw dependencyUnreachableError({
        role: 'gateway',
        kind: 'redis',
        endpoint: config.redis.url,
        timeoutMs,
        lastError: lastConnectionError() ?? (lastError instanceof Error ? lastError.message : undefined),
      });
    }
  }

  async function readiness(): Promise<Readiness> {
    if (!services || stopping) return { ready: false, reason: stopping ? 'stopping' : 'not started' };
    return gatewayReadiness(services);
  }

  const gateway: Gateway = {
    done,
    readiness,
    get httpServer() {
      return server;
    },

    async start() {
      collectProcessMetrics();
      const redis = createRedis({
        url: config.redis.url,
        cluster: config.redis.cluster,
        options: { maxRetriesPerRequest: 3 },
      });
      const pubsub = pubSubModeOf(config.redis);
      const subscriber = createRedis({
        url: config.redis.url,
        cluster: config.redis.cluster,
        shardedSubscribers: pubsub === 'sharded',
      });
      const lastErrors = (
        [
          ['command', redis],
          ['subscriber', subscriber],
        ] as const
      ).map(([name, client]) => logConnectionErrors({ client, logger, fields: { connection: name } }));
      await waitForRedis([redis, subscriber], () => lastErrors.map((last) => last()).find(Boolean));
      try {
        await assertPubSubSupported(redis, pubsub);
      } catch (error) {
        redis.disconnect();
        subscriber.disconnect();
        throw error;
      }
      services = {
        config,
        keyPrefix: config.redis.keyPrefix,
        redis,
        hub: createChannelHub({ subscriber, logger, pubsub }),
        catalog: createCatalog(config),
        logger,
      };
      const schema = buildSchema(config);
      const authenticate = createAuthenticate(config);
      const requestViewer = createRequestViewer(authenticate);
      const rateLimiter = createRateLimiter({
        redis,
        keyPrefix: config.redis.keyPrefix,
        limit: config.gateway.limits.requestsPerMinute,
        logger,
      });
      const yoga = createYogaServer({ schema, services, authenticate, requestViewer });
      const handler = createRequestHandler({
        yoga,
        services,
        rateLimiter,
        requestViewer,
        readiness: params.readinessReport ?? (() => collectReadiness([{ name: 'gateway', readiness }])),
      });
      const dashboard = createDashboardHandler();
      server = createServer((req, res) => {
        if (dashboard(req, res)) return;
        handler(req, res).catch((error) => {
          logger.error({ msg: 'Request failed', err: error });
          if (!res.headersSent) res.writeHead(500);
          res.end();
        });
      });
      server.headersTimeout = 10_000;
      server.requestTimeout = 30_000;
      ws = attachWebSocket({
        server,
        yoga,
        services,
        authenticate,
        rateLimiter,
        logger,
        connectionInitWaitTimeout: params.connectionInitWaitTimeout,
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(config.gateway.port, config.gateway.host, () => {
          listening.off('error', reject);
          resolve();
        });
      });
      listening.on('error', (error: NodeJS.ErrnoException) =>
        failAfterListening(
          new BaseError(`The gateway's HTTP server failed: ${error.message}`, {
            code: 'GATEWAY_SERVER_FAILED',
            cause: error,
          }),
        ),
      );
      listening.once('close', () =>
        failAfterListening(
          new BaseError("The gateway's HTTP server closed unexpectedly", { code: 'GATEWAY_SERVER_CLOSED' }),
        ),
      );
      const address = listening.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${host}:${address.port}/graphql`;
      logger.info({ msg: 'Gateway listening', endpoint: url });
      return { url };
    },
    stop() {
      stopping ??= (async () => {
        await ws?.close();
        if (server) {
          const closing = server;
          await new Promise<void>((resolve) => {
            closing.close(() => resolve());
            closing.closeAllConnections();
          });
        }
        if (services) {
          await services.hub.close();
          services.redis.disconnect();
        }
        if (failure) settle.reject(failure);
        else settle.resolve();
      })();
      return stopping;
    },
    stats: () => {
      const live = ws?.liveCounts() ?? { fans: 0, members: 0 };
      return {
        redisChannels: services?.hub.channelCount() ?? 0,
        listeners: (services?.hub.listenerCount() ?? 0) - live.fans + live.members,
        sharedLive: live.members,
        webSocketClients: ws?.clientCount() ?? 0,
        renderGroups: ws?.groupCount() ?? 0,
      };
    },
  };
  return gateway;
}
