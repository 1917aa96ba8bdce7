import type { Logger } from 'pino';

/** Something to close on shutdown, closed in reverse order of registration. */
export type Closer = { name: string; close: () => Promise<void> | void };

/** Collects closers and runs them once on SIGINT/SIGTERM or when `shutdown()` is called. */
export type Shutdown = {
  add(closer: Closer): void;
  shutdown(reason: string): Promise<void>;
  /** Aborted when shutdown starts, so loops can stop waiting. */
  signal: AbortSignal;
};

/** Creates the graceful-shutdown coordinator of a process. */
export function createShutdown(
  logger: Logger,
  options: { handleSignals?: boolean; timeoutMs?: number } = {},
): Shutdown {
  const closers: Closer[] = [];
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  const timeoutMs = options.timeoutMs ?? 15_000;

  const shutdown = (reason: string): Promise<void> => {
    if (running) return running;
    controller.abort(new Error(reason));
    logger.info({ msg: 'Shutting down', reason });
    running = (async () => {
      const timer = setTimeout(() => {
        logger.error({ msg: 'Shutdown timed out; exiting', timeout_ms: timeoutMs });
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      for (const closer of [...closers].reverse()) {
        try {
          await closer.close();
        } catch (error) {
          logger.error({ msg: 'Close failed', closer: closer.name, err: error });
        }
      }
      clearTimeout(timer);
    })();
    return running;
  };

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        void shutdown(signal).then(() => process.exit(0));
      });
    }
  }

  return { add: (closer) => closers.push(closer), shutdown, signal: controller.signal };
}
