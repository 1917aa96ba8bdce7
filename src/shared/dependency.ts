import { type BaseError, KafkaError, RedisError, RpcError } from './errors/index.ts';
import { redactUrl } from './logger.ts';
import type { DependencyStatus, RoleName } from './role.ts';

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
  /** Whether it answered at least once since it was created. */
  answered(): boolean;
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
  let answered = false;
  const dependency: Dependency = {
    name,
    status: () => status,
    answered: () => answered,
    up() {
      status = { state: 'up' };
      answered = true;
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

/** The kinds of dependency a role waits for at start. */
export type DependencyKind = 'kafka' | 'redis' | 'rpc';

/** One dependency a role must reach at start. */
export type StartupTarget = {
  kind: DependencyKind;
  dependency: Dependency;
  /**
   * Where it is, as the config names it: Kafka brokers (`host:port,…`), a Redis or RPC URL. URLs are
   * reduced to scheme, host and port, so no password or API key is ever printed.
   */
  endpoint: string;
  /** For an RPC endpoint, the chain it serves and its place in the config. */
  chain?: { chainId: number; index: number };
  /**
   * The last failure worth quoting, when the client knows better than the dependency's status (e.g.
   * ioredis's `connect ECONNREFUSED …` rather than the command's `max retries` error).
   */
  lastError?: () => string | undefined;
};

/** Parameters of {@link dependencyUnreachableError}. */
export type DependencyUnreachableParameters = Omit<StartupTarget, 'dependency' | 'lastError'> & {
  role: RoleName;
  timeoutMs: number;
  /** The last failure seen, when there was one (URLs in it are reduced like the endpoint). */
  lastError?: string | undefined;
};

const urlPattern = /\b[a-z][a-z0-9+.-]*:\/\/[^\s,;)]+/gi;

/** Reduces every URL in a message to scheme, host and port. */
function withoutCredentials(message: string): string {
  return message.replace(urlPattern, (url) => redactUrl(url));
}

function describeTarget({ kind, endpoint, chain }: DependencyUnreachableParameters) {
  const shown = kind === 'kafka' ? endpoint : redactUrl(endpoint);
  if (kind === 'kafka')
    return {
      what: `Kafka at ${shown}`,
      check:
        'that the brokers are running and reachable from here, and kafka.brokers in the config (KAFKA_BROKERS in the examples)',
    };
  if (kind === 'redis')
    return {
      what: `Redis at ${shown}`,
      check:
        'that Redis is running and reachable from here, and redis.url in the config (REDIS_URL in the examples)',
    };
  return {
    what: `the RPC endpoint of chain ${chain?.chainId ?? '?'} at ${shown}`,
    check: `that the node is running and reachable from here, and chains[${chain?.index ?? 0}].rpc.http in the config (RPC_HTTP_URL in the examples)`,
  };
}

/**
 * The error a role stops with when a dependency never answered at start: one line naming the role,
 * the endpoint without credentials, the deadline and what to check, the same for every role, e.g.
 * `ingest: Kafka at 127.0.0.1:9092 did not answer within 30 s (last error: …). Check that the brokers
 * are running …`. Codes: `KAFKA_UNREACHABLE`, `REDIS_UNREACHABLE`, `RPC_UNREACHABLE`.
 */
export function dependencyUnreachableError(parameters: DependencyUnreachableParameters): BaseError {
  const { role, kind, timeoutMs, lastError } = parameters;
  const { what, check } = describeTarget(parameters);
  const seconds = Math.round((timeoutMs / 1000) * 10) / 10;
  const last = lastError ? ` (last error: ${withoutCredentials(lastError).split('\n')[0]})` : '';
  const message = `${role}: ${what} did not answer within ${seconds} s${last}. Check ${check}.`;
  const code = `${kind.toUpperCase()}_UNREACHABLE`;
  if (kind === 'kafka') return new KafkaError(message, { code });
  if (kind === 'redis') return new RedisError(message, { code });
  return new RpcError(message, { code });
}

/** Whether an error is the start-up failure of {@link dependencyUnreachableError}. */
export function isDependencyUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(KAFKA|REDIS|RPC)_UNREACHABLE$/.test(code);
}

/** Parameters of {@link watchStartup}. */
export type WatchStartupParameters = {
  role: RoleName;
  targets: StartupTarget[];
  /** 0 waits forever. */
  timeoutMs: number;
  /** Called once, when a target has not answered within `timeoutMs`, with the error to stop with. */
  onUnreachable: (error: BaseError) => void;
};

/**
 * The start-up deadline of a role: once `timeoutMs` passed, the first target that never answered
 * stops the role via `onUnreachable`. A target that answered once is never held against the role
 * again: a later outage is retried and reported by readiness instead. Returns a function that stops
 * watching (on stop, or once every target answered).
 */
export function watchStartup({
  role,
  targets,
  timeoutMs,
  onUnreachable,
}: WatchStartupParameters): () => void {
  if (timeoutMs <= 0 || targets.length === 0) return () => {};
  const timer = setTimeout(() => {
    const silent = targets.find((target) => !target.dependency.answered());
    if (!silent) return;
    const { dependency, lastError, ...target } = silent;
    onUnreachable(
      dependencyUnreachableError({
        ...target,
        role,
        timeoutMs,
        lastError: lastError?.() ?? dependency.status().error,
      }),
    );
  }, timeoutMs);
  return () => clearTimeout(timer);
}
