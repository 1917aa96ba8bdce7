import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import { metricsRegistry } from '../../shared/metrics.ts';
import { type ReadinessReport, readinessResponse } from '../../shared/role.ts';
import type { GatewayContext, GatewayServices } from '../context.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { RequestViewer } from './authenticate.ts';
import { clientKey } from './clientKey.ts';
import type { RateLimiter } from './rateLimiter.ts';

/** Parameters of {@link createRequestHandler}. */
export type RequestHandlerParameters = {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  rateLimiter: RateLimiter;
  requestViewer: RequestViewer;
  /** Readiness of every role running in this process, answered on `/readyz`. */
  readiness: () => Promise<ReadinessReport>;
};

// Bodies over the limit are read and discarded up to this size so the client can finish sending
// and read the 413 (closing mid-upload makes it see EPIPE instead); beyond it the socket is closed.
const maxDiscardedBodyBytes = 64 * 1024 * 1024;

/** Answers 413 once the oversized body has been read (and discarded), then closes the connection. */
function refuseOversizedBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
  length: string,
) {
  const refuse = () =>
    sendError(
      res,
      413,
      'PAYLOAD_TOO_LARGE',
      `Request body is ${length} bytes; at most ${maxBodyBytes} bytes are accepted.`,
      { connection: 'close' },
    );
  if (Number(length) > maxDiscardedBodyBytes) {
    refuse();
    req.socket.destroySoon();
    return;
  }
  req.on('end', refuse);
  req.on('error', () => req.socket.destroy());
  req.resume();
}

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  gatewayMetrics.rejected.inc({ reason: code });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * The HTTP entry: `/healthz`, `/readyz`, `/metrics`, then body-size and rate limits, then yoga
 * (GraphQL over HTTP, SSE, GraphiQL).
 */
export function createRequestHandler({
  yoga,
  services,
  rateLimiter,
  requestViewer,
  readiness,
}: RequestHandlerParameters) {
  const { limits, trustProxy } = services.config.gateway;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
      return;
    }
    if (path === '/readyz') {
      const { statusCode, body } = readinessResponse(await readiness());
      res.writeHead(statusCode, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': metricsRegistry.contentType });
      res.end(await metricsRegistry.metrics());
      return;
    }
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > limits.maxBodyBytes) {
      refuseOversizedBody(req, res, limits.maxBodyBytes, length);
      return;
    }
    if (length === undefined && req.headers['transfer-encoding'] !== undefined) {
      sendError(
        res,
        411,
        'LENGTH_REQUIRED',
        'Send a Content-Length header: chunked request bodies are not accepted.',
        {
          connection: 'close',
        },
      );
      req.resume();
      return;
    }
    // A bad token is answered 401 by yoga (from the same verification); the limit then counts the IP.
    const viewer = await requestViewer(req).catch(() => undefined);
    const limit = await rateLimiter.take(clientKey(viewer, req, trustProxy));
    if (!limit.allowed) {
      sendError(res, 429, 'RATE_LIMITED', 'Too many requests: slow down and retry later.', {
        'retry-after': String(limit.retryAfterSeconds),
      });
      req.resume();
      return;
    }
    const sse = (req.headers.accept ?? '').includes('text/event-stream');
    if (sse) {
      gatewayMetrics.connections.inc({ transport: 'sse' });
      res.once('close', () => gatewayMetrics.connections.dec({ transport: 'sse' }));
    }
    await yoga.requestListener(req, res);
  };
}
