import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsRegistry } from '../shared/metrics.ts';
import { type ReadinessReport, readinessResponse } from '../shared/role.ts';

/** Parameters of {@link startMetricsServer}. */
export type StartMetricsServerParameters = {
  /** Port to listen on (0 picks a free one). */
  port: number;
  /** Interface to listen on. */
  host: string;
  logger: Logger;
  /** Readiness of the roles this process runs, answered on `/readyz`. */
  readiness: () => Promise<ReadinessReport>;
  /** The `/metrics` body; default: this process's registry (a primary with gateway workers adds theirs). */
  metrics?: () => Promise<string>;
};

/** A running operations server. */
export type MetricsServer = {
  /** The port it listens on (the one picked when asked for 0). */
  port: number;
  close(): Promise<void>;
};

/**
 * The operations server: serves `/metrics`, `/healthz` (the process runs) and `/readyz` (every role
 * it runs is ready, with a JSON body per role and reason) on the operations port (`ops.port`, or
 * `METRICS_PORT`), whatever roles the process runs. Anything else is 404: no GraphQL here.
 */
export async function startMetricsServer({
  port,
  host,
  logger,
  readiness,
  metrics = () => metricsRegistry.metrics(),
}: StartMetricsServerParameters): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': metricsRegistry.contentType });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      readiness().then(
        (report) => {
          const { statusCode, body } = readinessResponse(report);
          res.writeHead(statusCode, { 'content-type': 'application/json' }).end(body);
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Metrics are not worth stopping the roles for: a later server error is logged only.
  server.on('error', (error) => logger.error({ msg: 'Operations server error', err: error }));
  const listening = (server.address() as AddressInfo).port;
  logger.info({ msg: 'Operations server listening (/metrics, /healthz, /readyz)', port: listening, host });
  return {
    port: listening,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
