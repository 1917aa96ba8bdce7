import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import { gatewayMetrics } from '../metrics.ts';
import { createLogThrottle } from './logThrottle.ts';

/**
 * What graphql-ws hands our hooks as `ctx.extra` for every socket. `request` is the upgrade request:
 * a hook that has read what it needs from it may drop it (set it to undefined), so that an idle
 * connection does not keep its headers for its whole life.
 */
export type SocketExtra = { socket: WebSocket; request: IncomingMessage | undefined };

/** Parameters of {@link serveGraphqlWs}. */
export type ServeGraphqlWsParameters<E extends SocketExtra> = {
  wss: WebSocketServer;
  options: ServerOptions<Record<string, unknown>, E>;
  logger: Logger;
  /** Ping interval; a socket that does not pong within it is terminated. */
  keepAliveMs?: number;
  /** Socket faults logged at most once per this interval (the rest are counted). */
  logIntervalMs?: number;
};

// Raised by ws when a frame exceeds `maxPayload`; ws has already started the close with 1009.
const payloadTooLarge = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

/**
 * Binds a graphql-ws server to a `ws` server, like graphql-ws's own `useServer` but logging socket
 * faults as structured, rate-limited lines: `useServer` prints each one as a raw multi-line stack
 * with `console.error`, so a client repeating oversized frames could flood the log.
 *
 * What a connection keeps is kept small, since a gateway holds many idle ones: one keep-alive timer
 * for all sockets (a socket that has not answered the previous ping is terminated), no closure over
 * a received frame once it is handed over (graphql-ws's handler of a `subscribe` lasts as long as
 * the subscription).
 */
export function serveGraphqlWs<E extends SocketExtra>({
  wss,
  options,
  logger,
  keepAliveMs = 12_000,
  logIntervalMs = 10_000,
}: ServeGraphqlWsParameters<E>): { dispose(): Promise<void> } {
  const server = makeServer(options);
  const throttles = {
    oversized: createLogThrottle({ intervalMs: logIntervalMs }),
    fault: createLogThrottle({ intervalMs: logIntervalMs }),
  };
  wss.options.handleProtocols = handleProtocols;

  // Sockets pinged by the last keep-alive round that have not answered yet.
  const awaitingPong = new Set<WebSocket>();
  const keepAlive = setInterval(() => {
    for (const socket of wss.clients) {
      if (awaitingPong.has(socket)) {
        awaitingPong.delete(socket);
        socket.terminate();
      } else if (socket.readyState === socket.OPEN) {
        awaitingPong.add(socket);
        socket.ping();
      }
    }
  }, keepAliveMs);
  keepAlive.unref();
  function onPong(this: WebSocket) {
    awaitingPong.delete(this);
  }

  const failed = (socket: WebSocket, error: unknown) => {
    throttles.fault((suppressed) =>
      logger.error({ msg: 'WebSocket message handling failed', err: error, suppressed }),
    );
    socket.close(CloseCode.InternalServerError, 'Internal server error');
  };

  const onConnection = (socket: WebSocket, request: IncomingMessage) => {
    // Read now: the listener below must not keep the whole request alive.
    const remoteAddress = request.socket.remoteAddress;
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === payloadTooLarge) {
        gatewayMetrics.rejected.inc({ reason: 'PAYLOAD_TOO_LARGE' });
        throttles.oversized((suppressed) =>
          logger.warn({
            msg: 'WebSocket frame over the payload limit; closed with 1009',
            limit_bytes: wss.options.maxPayload,
            remote_address: remoteAddress,
            suppressed,
          }),
        );
      } else {
        throttles.fault((suppressed) =>
          logger.warn({ msg: 'WebSocket socket error', err: error, code: error.code, suppressed }),
        );
      }
      if (socket.readyState === socket.OPEN)
        socket.close(CloseCode.InternalServerError, 'Internal server error');
    });

    socket.on('pong', onPong);

    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve, reject) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            socket.send(data, (error) => (error ? reject(error) : resolve()));
          }),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', (data) => {
            handle(String(data)).catch((error) => failed(socket, error));
          }),
      },
      { socket, request } as E,
    );

    // `on`, not `once`: a socket closes once, and `once` adds a wrapper function per socket.
    socket.on('close', (code, reason) => {
      awaitingPong.delete(socket);
      void closed(code, String(reason));
    });
  };
  wss.on('connection', onConnection);

  return {
    async dispose() {
      clearInterval(keepAlive);
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.off('connection', onConnection);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
