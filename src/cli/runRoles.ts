import type { Logger } from 'pino';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { collectProcessMetrics, metricsRegistry } from '../shared/metrics.ts';
import {
  collectReadiness,
  type Readiness,
  type ReadinessReport,
  type Role,
  type RoleName,
} from '../shared/role.ts';
import { createShutdown } from '../shared/shutdown.ts';
import { createTelemetry } from '../shared/telemetry/index.ts';
import {
  announceWorkerStarted,
  createGatewayWorkers,
  type GatewayWorkers,
  gatewayWorkerNumber,
  serveAsGatewayWorker,
} from './gatewayWorkers.ts';
import { startMetricsServer } from './startMetricsServer.ts';

/** Parameters of {@link runRoles}. */
export type RunRolesParameters = {
  config: ResolvedConfig;
  roles: RoleName[];
  logger: Logger;
  /**
   * Called once every role has started, with the gateway URL when the gateway runs and the readiness
   * of every role (what `/readyz` answers).
   */
  onStarted?: (info: {
    gatewayUrl: string | undefined;
    metricsPort: number | undefined;
    readiness: () => Promise<ReadinessReport>;
  }) => void;
  /** Extra closers to run on shutdown after the roles stopped (e.g. the dev stack). */
  onShutdown?: () => Promise<void>;
};

type RunningRole = { name: RoleName; role: Role<unknown> };

/**
 * Creates one role; the gateway answers `/readyz` for every role of the process. With
 * `gateway.workers` above 1 the gateway of the main process is its workers (forked here).
 */
async function createRole(
  name: RoleName,
  config: ResolvedConfig,
  logger: Logger,
  readinessReport: () => ReturnType<typeof collectReadiness>,
): Promise<Role<unknown>> {
  const child = logger.child({ role: name });
  if (name === 'gateway' && config.gateway.workers > 1 && gatewayWorkerNumber() === undefined)
    return createGatewayWorkers({ count: config.gateway.workers, logger: child });
  if (name === 'ingest') {
    const { createIngest } = await import('../ingest/index.ts');
    return createIngest({ config, logger: child });
  }
  if (name === 'process') {
    const { createProcessor } = await import('../process/index.ts');
    return createProcessor({ config, logger: child });
  }
  const { createGateway } = await import('../gateway/index.ts');
  return createGateway({ config, logger: child, readinessReport });
}

/**
 * Starts the requested roles in one process and keeps them running until SIGINT/SIGTERM or a fatal
 * error of any role (its `done` rejects), which stops the others and rejects. `/readyz` (on the
 * operations port when configured, and on the gateway's port when the gateway runs) answers for
 * every role.
 */
export async function runRoles({
  config,
  roles,
  logger,
  onStarted,
  onShutdown,
}: RunRolesParameters): Promise<void> {
  // A gateway worker (forked by a primary with gateway.workers > 1) runs only the gateway; the
  // primary runs the other roles and the operations port.
  const worker = gatewayWorkerNumber();
  if (worker !== undefined) {
    serveAsGatewayWorker(worker);
    roles = ['gateway'];
    logger = logger.child({ worker });
  }
  collectProcessMetrics();
  const shutdown = createShutdown(logger, { handleSignals: false });
  // Registered first, so it is closed last: the roles' final spans are exported.
  shutdown.add({
    name: 'telemetry',
    close: (await createTelemetry({ config: config.telemetry, logger })).shutdown,
  });
  const running: RunningRole[] = [];
  let gatewayUrl: string | undefined;
  let servedMetricsPort: number | undefined;
  if (onShutdown) shutdown.add({ name: 'dev stack', close: onShutdown });
  // Every requested role counts, also one not created yet: the process is not ready before all run.
  const readinessReport = () =>
    collectReadiness(
      roles.map((name) => {
        const role = running.find((entry) => entry.name === name)?.role;
        return {
          name,
          readiness: (): Readiness | Promise<Readiness> =>
            role ? role.readiness() : { ready: false, reason: 'not started yet' },
        };
      }),
    );

  let fatal: unknown;
  let requestStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => requestStop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watch = ({ name, role }: RunningRole) =>
    role.done.catch((error: unknown) => {
      // The first fatal error is rethrown and reported once by the CLI; later ones are logged here.
      if (fatal === undefined) fatal = error;
      else logger.error({ msg: 'Role stopped with an error', role: name, err: error });
      requestStop(`${name} failed`);
    });

  let workers: GatewayWorkers | undefined;
  try {
    // Whatever the roles, the operations port (ops.port or METRICS_PORT) serves /metrics, /healthz
    // and /readyz; the gateway's own port serves them as well.
    if (config.ops.port !== undefined && worker === undefined) {
      const server = await startMetricsServer({
        port: config.ops.port,
        host: config.ops.host,
        logger,
        readiness: readinessReport,
        metrics: () => (workers ? workers.metrics() : metricsRegistry.metrics()),
      });
      servedMetricsPort = server.port;
      shutdown.add({ name: 'metrics server', close: server.close });
    }
    for (const name of roles) {
      const role = await createRole(name, config, logger, readinessReport);
      // Registered before it starts, so /readyz shows a role that is still connecting.
      const entry = { name, role };
      running.push(entry);
      shutdown.add({ name, close: () => role.stop() });
      if ('metrics' in role) workers = role as GatewayWorkers;
      const started = await role.start();
      if (name === 'gateway') gatewayUrl = (started as { url: string }).url;
      if (name === 'gateway' && worker !== undefined && gatewayUrl) announceWorkerStarted(gatewayUrl);
      void watch(entry);
      logger.info({ msg: 'Role started', role: name });
    }
  } catch (error) {
    await shutdown.shutdown('start failed');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A role that failed in the background while a later one was starting failed first.
    throw fatal ?? error;
  }
  onStarted?.({ gatewayUrl, metricsPort: servedMetricsPort, readiness: readinessReport });
  const reason = await stopRequested;
  await shutdown.shutdown(reason);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (fatal !== undefined) throw fatal;
}
