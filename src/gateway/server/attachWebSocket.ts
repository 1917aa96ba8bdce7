import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { YogaServerInstance } from 'graphql-yoga';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import type { GatewayContext, GatewayDelivery, GatewayServices, Viewer } from '../context.ts';
import { createFanout, type DirectDelivery } from '../fanout/index.ts';
import { operationKey } from '../fanout/operationKey.ts';
import {
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  OperationTypeNode,
} from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { EventSink } from '../stream/eventSink.ts';
import { type Authenticate, bearerToken } from './authenticate.ts';
import { clientKey } from './clientKey.ts';
import type { WsInitialContext } from './createYogaServer.ts';
import { createMaskError, withCode } from './errorPlugins.ts';
import type { RateLimiter } from './rateLimiter.ts';
import { type SocketExtra, serveGraphqlWs } from './serveGraphqlWs.ts';
import { subscribeOperation } from './subscribeOperation.ts';

/** Parameters of {@link attachWebSocket}. */
export type AttachWebSocketParameters = {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  authenticate: Authenticate;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Close a socket that sends no `connection_init` within this time (4408). */
  connectionInitWaitTimeout?: number;
};

/** The graphql-ws endpoint; `close()` terminates every socket. */
export type WebSocketEndpoint = {
  close(): Promise<void>;
  clientCount(): number;
  /** Render groups with open subscriptions (identical operations share one). */
  groupCount(): number;
  /** Live fans holding a channel listener, and the subscriptions they deliver (see `fanout/`). */
  liveCounts(): { fans: number; members: number };
};

type Extra = SocketExtra & { viewer?: Viewer; clientKey?: string };

// Raw frames a connection may send: a burst of this many, then this many per second.
const frameBurst = 1_000;
const framesPerSecond = 500;

function rejected(code: string, message: string): GraphQLError[] {
  gatewayMetrics.rejected.inc({ reason: code });
  return [new GraphQLError(message, { extensions: { code } })];
}

type TrackedDelivery = GatewayDelivery & { inner: DirectDelivery; opened: boolean };

// One function for all deliveries (`this` is the delivery): no closure per subscription.
function openTracked<N extends object>(this: TrackedDelivery): EventSink<N> {
  this.opened = true;
  return this.inner.open<N>();
}

/** The delivery, recording when a stream opens it (see subscribeOperation). */
function trackOpened(inner: DirectDelivery): GatewayDelivery {
  const tracked: TrackedDelivery = { inner, opened: false, open: openTracked };
  return tracked;
}

const onSocketClose = () => gatewayMetrics.connections.dec({ transport: 'ws' });

/**
 * Serves graphql-transport-ws on the HTTP server's `/graphql` path: JWT from connection params,
 * per-client rate limit and per-connection subscription limit on `subscribe`, a frame-flood guard
 * (close 1008), a frame-size limit (`limits.maxBodyBytes`, close 1009, one rate-limited log line),
 * and parse/validation through the same envelop plugins as HTTP.
 *
 * Subscriptions get a direct delivery in their context: event streams that support it write their
 * `next` frames straight to the socket, rendered once per identical operation (see `fanout/`).
 */
export function attachWebSocket(params: AttachWebSocketParameters): WebSocketEndpoint {
  const { server, yoga, services, authenticate, rateLimiter, logger } = params;
  const { limits } = services.config.gateway;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const maskError = createMaskError(services.config.gateway.maskErrors);
  const maskGraphQLError = (error: GraphQLError) => maskError(error, 'Unexpected error.') as GraphQLError;
  const maskResult = (result: ExecutionResult): ExecutionResult => ({
    ...result,
    errors: result.errors?.map(maskGraphQLError),
  });
  const fanout = createFanout({ logger, formatErrors: maskResult });

  // The connection under each socket: the fan-out writes frames rendered once straight to it.
  const connections = new WeakMap<WebSocket, Duplex>();
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== yoga.graphqlEndpoint) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      connections.set(ws, socket);
      wss.emit('connection', ws, request);
    });
  };
  server.on('upgrade', onUpgrade);

  wss.on('connection', (socket) => {
    gatewayMetrics.connections.inc({ transport: 'ws' });
    let tokens = frameBurst;
    let at = Date.now();
    socket.on('message', () => {
      const now = Date.now();
      tokens = Math.min(frameBurst, tokens + ((now - at) / 1000) * framesPerSecond);
      at = now;
      tokens -= 1;
      if (tokens < 0 && socket.readyState === socket.OPEN) {
        gatewayMetrics.rejected.inc({ reason: 'FRAME_FLOOD' });
        socket.close(1008, 'Too many messages');
      }
    });
    // `on`, not `once`: a socket closes once, and `once` adds a wrapper function per socket.
    socket.on('close', onSocketClose);
  });

  const { trustProxy } = services.config.gateway;
  const disposable = serveGraphqlWs<Extra>({
    wss,
    logger,
    options: {
      connectionInitWaitTimeout: params.connectionInitWaitTimeout ?? 3_000,
      execute: (args) =>
        (args.rootValue as { execute: (a: ExecutionArgs) => unknown }).execute(args) as never,
      // graphql-js directly, not yoga's envelop `subscribe`: that wraps the event stream in several
      // iterator layers (the executor's, each plugin hook's), a chain of closures and pending
      // promises every idle subscription keeps. The one thing those layers did, masking errors, is
      // done by `onNext` and `onError` below.
      subscribe: (args) => subscribeOperation(args) as never,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const token = bearerToken(params.authorization ?? params.Authorization ?? params.token);
        try {
          ctx.extra.viewer = await authenticate(token);
        } catch {
          gatewayMetrics.rejected.inc({ reason: 'UNAUTHENTICATED' });
          return false;
        }
        ctx.extra.clientKey = clientKey(ctx.extra.viewer, ctx.extra.request, trustProxy);
        // Nothing later reads the upgrade request: an idle connection need not keep its headers.
        ctx.extra.request = undefined;
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        // Counted before any await: graphql-ws reserves the ids of operations still in onSubscribe, so
        // subscribes handled concurrently would otherwise all see each other.
        const open = Object.keys(ctx.subscriptions).length;
        if (open > limits.subscriptionsPerConnection) {
          return rejected(
            'SUBSCRIPTION_LIMIT',
            `Too many subscriptions on this connection: at most ${limits.subscriptionsPerConnection} at a time.`,
          );
        }
        const key = ctx.extra.clientKey ?? clientKey(undefined, ctx.extra.request, trustProxy);
        if (!(await rateLimiter.take(key)).allowed)
          return rejected('RATE_LIMITED', 'Too many operations: slow down and retry later.');
        // The initial context becomes the operation's context, which a subscription keeps for its
        // whole life: only what the context factory reads (see createYogaServer).
        const initialContext: WsInitialContext = { wsViewer: ctx.extra.viewer };
        const enveloped = yoga.getEnveloped(initialContext);
        let document: ReturnType<typeof enveloped.parse>;
        try {
          document = enveloped.parse(payload.query);
        } catch (error) {
          const graphqlError =
            error instanceof GraphQLError
              ? error
              : new GraphQLError(error instanceof Error ? error.message : String(error));
          return [withCode(graphqlError, 'GRAPHQL_PARSE_FAILED')];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0)
          return errors.map((error: GraphQLError) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
        // Yoga's context factory adds `services` and `viewer` (see createYogaServer).
        const contextValue = (await enveloped.contextFactory()) as unknown as GatewayContext;
        const operation = getOperationAST(document, payload.operationName);
        const base = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
        };
        if (operation?.operation === OperationTypeNode.SUBSCRIPTION) {
          // Execution is a pure function of the operation and the event (resolvers of streamed
          // types read the event and shared services only), so identical operations share it. The
          // group outlives its first subscriber: it gets a context without that one's connection.
          const shared: GatewayContext = { services: contextValue.services, viewer: undefined };
          const args = { ...base, contextValue: shared };
          contextValue.delivery = trackOpened(
            fanout.delivery({
              key: operationKey({
                document,
                operationName: payload.operationName,
                variables: payload.variables,
              }),
              socket: ctx.extra.socket,
              connection: connections.get(ctx.extra.socket),
              id,
              execute: (node) => execute({ ...args, rootValue: node }),
            }),
          );
          return base;
        }
        return { ...base, rootValue: { execute: enveloped.execute } };
      },
      // Subscription results come from graphql-js unmasked (queries and mutations were masked by
      // yoga already; masking is idempotent).
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors && result.errors.length > 0 ? maskResult(result) : undefined,
      // An error the event stream threw, wrapped by graphql-ws (`originalError`), is masked like yoga
      // masks it; the errors onSubscribe returned are sent as they are.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) =>
          (error.originalError ? maskGraphQLError(error) : withCode(error, 'INTERNAL_SERVER_ERROR')).toJSON(),
        ),
    },
  });

  return {
    clientCount: () => wss.clients.size,
    groupCount: () => fanout.groupCount(),
    liveCounts: () => fanout.liveCounts(),
    async close() {
      server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      logger.debug({ msg: 'WebSocket endpoint closed' });
    },
  };
}
