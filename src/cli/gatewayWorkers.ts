import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { BaseError } from '../shared/errors/index.ts';
import { metricsRegistry } from '../shared/metrics.ts';
import type { Role } from '../shared/role.ts';

/** What `getMetricsAsJSON` of a registry answers; a worker sends it to the primary. */
type WorkerMetrics = Awaited<ReturnType<typeof metricsRegistry.getMetricsAsJSON>>;

/** Set in the environment of a gateway worker: its number, 1 to `gateway.workers`. */
const workerVariable = 'BLOCKWIRE_GATEWAY_WORKER';

/** Messages between the primary process and its gateway workers. */
type WorkerMessage =
  | { type: 'blockwire:started'; url: string }
  | { type: 'blockwire:metrics'; id: number; metrics: WorkerMetrics }
  | { type: 'blockwire:metrics-request'; id: number };

const isWorkerMessage = (message: unknown): message is WorkerMessage =>
  typeof message === 'object' &&
  message !== null &&
  String((message as { type?: unknown }).type).startsWith('blockwire:');

/** The number of this process when it is a gateway worker (forked by {@link createGatewayWorkers}). */
export function gatewayWorkerNumber(): number | undefined {
  const value = process.env[workerVariable];
  return cluster.isWorker && value ? Number(value) : undefined;
}

/**
 * Prepares this process to run as gateway worker `number`: its metrics carry `worker="<number>"`,
 * it answers the primary's metrics requests, and {@link announceWorkerStarted} tells the primary it
 * serves.
 */
export function serveAsGatewayWorker(number: number): void {
  metricsRegistry.setDefaultLabels({ worker: String(number) });
  process.on('message', (message: unknown) => {
    if (!isWorkerMessage(message) || message.type !== 'blockwire:metrics-request') return;
    void metricsRegistry
      .getMetricsAsJSON()
      .then((metrics) =>
        process.send?.({ type: 'blockwire:metrics', id: message.id, metrics } satisfies WorkerMessage),
      );
  });
}

/** Tells the primary that this worker's gateway serves at `url`. */
export function announceWorkerStarted(url: string): void {
  process.send?.({ type: 'blockwire:started', url } satisfies WorkerMessage);
}

/** Parameters of {@link createGatewayWorkers}. */
export type CreateGatewayWorkersParameters = {
  count: number;
  logger: Logger;
  /** Delay before a worker that died is replaced. Default 1000 ms. */
  restartDelayMs?: number;
  /** How long a stopping worker may take before it is killed. Default 15 000 ms. */
  stopTimeoutMs?: number;
};

/** The gateway role of a primary process: `count` worker processes sharing the gateway's port. */
export type GatewayWorkers = Role<{ url: string }> & {
  /** The metrics of the primary and of every live worker (labelled `worker`), in Prometheus text. */
  metrics(): Promise<string>;
};

/** A worker that stopped before its gateway served: starting it again would fail the same way. */
class GatewayWorkerError extends BaseError {
  constructor(message: string) {
    super(message, { code: 'GATEWAY_WORKER_FAILED', retriable: false });
  }
}

/**
 * Runs the gateway in `count` processes (Node's cluster module: the primary accepts connections on
 * the gateway's port and hands them to the workers in turn). Each worker is a whole gateway with its
 * own Redis connections; a worker that dies is replaced, and its clients reconnect (to another
 * worker) and resume with their tokens. A worker that stops before it ever served stops the role.
 */
export function createGatewayWorkers({
  count,
  logger,
  restartDelayMs = 1_000,
  stopTimeoutMs = 15_000,
}: CreateGatewayWorkersParameters): GatewayWorkers {
  const live = new Map<number, Worker>();
  const serving = new Set<number>();
  let stopping = false;
  let url: string | undefined;
  let fail: (error: unknown) => void = () => {};
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  done.catch(() => {});
  let firstStarted: (url: string) => void = () => {};
  const started = new Promise<string>((resolve) => {
    firstStarted = resolve;
  });
  let metricsRequest = 0;

  const fork = (number: number) => {
    const worker = cluster.fork({ [workerVariable]: String(number) });
    live.set(number, worker);
    let served = false;
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message) || message.type !== 'blockwire:started') return;
      served = true;
      serving.add(number);
      url = message.url;
      logger.info({ msg: 'Gateway worker serving', worker: number, pid: worker.process.pid });
      if (serving.size === count) firstStarted(message.url);
    });
    worker.once('exit', (code, signal) => {
      live.delete(number);
      serving.delete(number);
      if (stopping) return;
      if (!served) {
        const error = new GatewayWorkerError(
          `Gateway worker ${number} stopped before it served (exit code ${code ?? 'none'}, signal ${signal ?? 'none'}); its log lines above say why.`,
        );
        stopping = true;
        for (const other of live.values()) other.kill('SIGTERM');
        fail(error);
        return;
      }
      logger.error({
        msg: 'Gateway worker died; starting another',
        worker: number,
        pid: worker.process.pid,
        code,
        signal,
      });
      setTimeout(() => {
        if (!stopping) fork(number);
      }, restartDelayMs).unref();
    });
    logger.info({ msg: 'Gateway worker started', worker: number, pid: worker.process.pid });
  };

  const waitForExit = (worker: Worker) =>
    new Promise<void>((resolve) => {
      if (worker.isDead()) return resolve();
      const timer = setTimeout(() => worker.kill('SIGKILL'), stopTimeoutMs);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  return {
    done,
    async start() {
      for (let number = 1; number <= count; number++) fork(number);
      const first = await Promise.race([started, done.then(() => undefined)]);
      return { url: first ?? url ?? '' };
    },
    async stop() {
      if (stopping && live.size === 0) return finish();
      stopping = true;
      const workers = [...live.values()];
      for (const worker of workers) worker.kill('SIGTERM');
      await Promise.all(workers.map(waitForExit));
      finish();
    },
    readiness() {
      if (serving.size === count) return { ready: true };
      return {
        ready: false,
        reason: `${serving.size} of ${count} gateway workers serve${stopping ? ' (stopping)' : ''}`,
      };
    },
    async metrics() {
      const id = ++metricsRequest;
      const answers = await Promise.all(
        [...live.values()].map(
          (worker) =>
            new Promise<WorkerMetrics | undefined>((resolve) => {
              const timer = setTimeout(() => finishWith(undefined), 5_000);
              const onMessage = (message: unknown) => {
                if (isWorkerMessage(message) && message.type === 'blockwire:metrics' && message.id === id)
                  finishWith(message.metrics);
              };
              const finishWith = (metrics: WorkerMetrics | undefined) => {
                clearTimeout(timer);
                worker.off('message', onMessage);
                worker.off('exit', onExit);
                resolve(metrics);
              };
              const onExit = () => finishWith(undefined);
              worker.on('message', onMessage);
              worker.once('exit', onExit);
              worker.send({ type: 'blockwire:metrics-request', id } satisfies WorkerMessage);
            }),
        ),
      );
      const own = await metricsRegistry.getMetricsAsJSON();
      const all = [own, ...answers.filter((answer): answer is WorkerMetrics => answer !== undefined)];
      return AggregatorRegistry.aggregate(all).metrics();
    },
  };
}
