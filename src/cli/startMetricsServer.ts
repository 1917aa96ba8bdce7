import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { metricsRegistry } from '../shared/metrics.ts';
import { type ReadinessReport, readinessResponse } from '../shared/role.ts';

/** Parameters of {@link startMetricsServer}. */
export type StartMetricsServerParameters = {
  port: number;
  host: string;
  logger: Logger;
  /** Readiness of the roles this process runs, answered on `/readyz`. */
  readiness: () => Promise<ReadinessReport>;
};

/** A running metrics server. */
export type MetricsServer = { port: number; close(): Promise<void> };

/**
 * Serves `/metrics`, `/healthz` (the process runs) and `/readyz` (every role it runs is ready, with
 * a JSON body per role and reason) for processes that run no gateway (e.g. `--role ingest`), on
 * `METRICS_PORT`.
 */
export async function startMetricsServer({
  port,
  host,
  logger,
  readiness,
}: StartMetricsServerParameters): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      metricsRegistry.metrics().then(
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
  server.on('error', (error) => logger.error({ msg: 'Metrics server error', err: error }));
  const listening = (server.address() as AddressInfo).port;
  logger.info({ msg: 'Metrics server listening', port: listening, host });
  return {
    port: listening,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
