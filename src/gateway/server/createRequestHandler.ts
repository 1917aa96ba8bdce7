import type { IncomingMessage, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import { metricsRegistry } from '../../shared/metrics.ts';
import { type ReadinessReport, readinessResponse } from '../../shared/role.ts';
import type { GatewayContext, GatewayServices } from '../context.ts';
import { gatewayMetrics } from '../metrics.ts';
import { clientKey } from './clientKey.ts';
import type { RateLimiter } from './rateLimiter.ts';

/** Parameters of {@link createRequestHandler}. */
export type RequestHandlerParameters = {
  yoga: YogaServerInstance<Record<string, unknown>, GatewayContext>;
  services: GatewayServices;
  rateLimiter: RateLimiter;
  /** Readiness of every role running in this process, answered on `/readyz`. */
  readiness: () => Promise<ReadinessReport>;
};

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
export function createRequestHandler({ yoga, services, rateLimiter, readiness }: RequestHandlerParameters) {
  const { limits } = services.config.gateway;
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
      sendError(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `Request body is ${length} bytes; at most ${limits.maxBodyBytes} bytes are accepted.`,
        {
          connection: 'close',
        },
      );
      req.resume();
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
    const key = clientKey(undefined, req);
    if (!rateLimiter.take(key)) {
      sendError(res, 429, 'RATE_LIMITED', 'Too many requests: slow down and retry later.', {
        'retry-after': String(rateLimiter.retryAfter(key)),
      });
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
