import type { Logger } from 'pino';
import type { ResolvedConfig } from '../shared/config/index.ts';
import { collectProcessMetrics } from '../shared/metrics.ts';
import { createShutdown } from '../shared/shutdown.ts';
import type { Role } from './parseCommandLine.ts';
import { startMetricsServer } from './startMetricsServer.ts';

/** Parameters of {@link runRoles}. */
export type RunRolesParameters = {
  config: ResolvedConfig;
  roles: Role[];
  logger: Logger;
  /** Called once every role has started, with the gateway URL when the gateway runs. */
  onStarted?: (info: { gatewayUrl: string | undefined }) => void;
  /** Extra closers to run on shutdown after the roles stopped (e.g. the dev stack). */
  onShutdown?: () => Promise<void>;
};

type RunningRole = { name: Role; stop: () => Promise<void>; done: Promise<void> };

/**
 * Starts the requested roles in one process and keeps them running until SIGINT/SIGTERM or a fatal
 * error of any role, which stops the others and rejects.
 */
export async function runRoles({
  config,
  roles,
  logger,
  onStarted,
  onShutdown,
}: RunRolesParameters): Promise<void> {
  collectProcessMetrics();
  const shutdown = createShutdown(logger, { handleSignals: false });
  const running: RunningRole[] = [];
  let gatewayUrl: string | undefined;
  if (onShutdown) shutdown.add({ name: 'dev stack', close: onShutdown });

  let fatal: unknown;
  let requestStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => requestStop(signal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const watch = (role: RunningRole) =>
    role.done.catch((error: unknown) => {
      fatal ??= error;
      logger.error({ msg: 'Role stopped with an error', role: role.name, err: error });
      requestStop(`${role.name} failed`);
    });

  try {
    // The gateway serves /metrics itself; other roles expose it when METRICS_PORT is set.
    if (!roles.includes('gateway') && process.env.METRICS_PORT) {
      const close = await startMetricsServer(Number(process.env.METRICS_PORT), config.gateway.host, logger);
      shutdown.add({ name: 'metrics server', close });
    }
    for (const name of roles) {
      let role: RunningRole;
      if (name === 'ingest') {
        const { createIngest } = await import('../ingest/index.ts');
        const ingest = createIngest({ config, logger: logger.child({ role: 'ingest' }) });
        await ingest.start();
        role = { name, stop: () => ingest.stop(), done: ingest.done };
      } else if (name === 'process') {
        const { createProcessor } = await import('../process/index.ts');
        const processor = createProcessor({ config, logger: logger.child({ role: 'process' }) });
        await processor.start();
        role = { name, stop: () => processor.stop(), done: processor.done };
      } else {
        const { createGateway } = await import('../gateway/index.ts');
        const gateway = createGateway({ config, logger: logger.child({ role: 'gateway' }) });
        gatewayUrl = (await gateway.start()).url;
        role = { name, stop: () => gateway.stop(), done: Promise.resolve() };
      }
      running.push(role);
      shutdown.add({ name, close: role.stop });
      void watch(role);
      logger.info({ msg: 'Role started', role: name });
    }
  } catch (error) {
    await shutdown.shutdown('start failed');
    throw error;
  }
  onStarted?.({ gatewayUrl });
  const reason = await stopRequested;
  await shutdown.shutdown(reason);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (fatal !== undefined) throw fatal;
}
