import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { metricsRegistry } from '../shared/metrics.ts';

/**
 * Serves `/metrics` and `/healthz` for processes that run no gateway (e.g. `--role ingest`), on
 * `METRICS_PORT`. Returns a function that closes it.
 */
export async function startMetricsServer(
  port: number,
  host: string,
  logger: Logger,
): Promise<() => Promise<void>> {
  const server: Server = createServer((req, res) => {
    if (req.url === '/metrics') {
      metricsRegistry.metrics().then(
        (body) => {
          res.writeHead(200, { 'content-type': metricsRegistry.contentType });
          res.end(body);
        },
        (error: unknown) => {
          res.writeHead(500).end(String(error));
        },
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  logger.info({ msg: 'Metrics server listening', port, host });
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
