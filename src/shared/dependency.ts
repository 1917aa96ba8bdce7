import type { DependencyStatus } from './role.ts';

/** A dependency's status tracker: marks it up or down from the outcome of each use. */
export type Dependency = {
  readonly name: string;
  status(): DependencyStatus;
  up(): void;
  down(error: unknown): void;
  /** Runs `operation` and records its outcome as this dependency's status (rethrowing a failure). */
  track<T>(operation: () => Promise<T>): Promise<T>;
  /** The not-ready reason when down, e.g. `Kafka is unreachable: connect ECONNREFUSED`. */
  reason(): string | undefined;
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Creates a {@link Dependency} tracker. `unavailable` words the reason (`Kafka is unreachable`,
 * `Redis is unavailable`).
 */
export function createDependency(name: string, unavailable: string): Dependency {
  let status: DependencyStatus = { state: 'unknown' };
  const dependency: Dependency = {
    name,
    status: () => status,
    up() {
      status = { state: 'up' };
    },
    down(error) {
      status = { state: 'down', error: messageOf(error) };
    },
    async track(operation) {
      try {
        const result = await operation();
        dependency.up();
        return result;
      } catch (error) {
        dependency.down(error);
        throw error;
      }
    },
    reason: () => (status.state === 'down' ? `${unavailable}: ${status.error}` : undefined),
  };
  return dependency;
}

/** Rejects with `message` when `promise` does not settle within `timeoutMs` (for probes). */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A periodic check of one dependency; `call` returns undefined to skip a tick (e.g. not connected yet). */
export type Probe = {
  dependency: Dependency;
  call: () => Promise<unknown> | undefined;
  /** Runs after a successful call, with its result. */
  onAnswer?: (value: never) => unknown;
};

/**
 * Runs each probe every `intervalMs` (and once at once), recording the outcome in its dependency; a
 * call that does not answer within `timeoutMs` marks the dependency down. A probe stays in flight
 * until its call settles, even after the timeout, so probes never pile up during an outage. Returns a
 * function that stops probing.
 */
export function startProbes(probes: Probe[], intervalMs: number, timeoutMs = 5_000): () => void {
  const inFlight = new Set<Probe>();

  async function runProbe(probe: Probe, pending: Promise<unknown>): Promise<void> {
    try {
      const value = await probe.dependency.track(() =>
        withTimeout(pending, timeoutMs, `${probe.dependency.name} did not answer within ${timeoutMs} ms`),
      );
      await probe.onAnswer?.(value as never);
    } catch {
      // recorded by track(); the next tick probes again
    }
    await pending.catch(() => {});
  }

  const tick = () => {
    for (const probe of probes) {
      if (inFlight.has(probe)) continue;
      const pending = probe.call();
      if (!pending) continue;
      inFlight.add(probe);
      void runProbe(probe, pending).finally(() => inFlight.delete(probe));
    }
  };
  const timer = setInterval(tick, intervalMs);
  tick();
  return () => clearInterval(timer);
}
