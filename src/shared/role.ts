/** Names of the roles a blockwire process can run. */
export type RoleName = 'ingest' | 'process' | 'gateway';

/** Whether an external dependency answered the role's last use of it. `unknown` before the first. */
export type DependencyStatus = { state: 'unknown' | 'up' | 'down'; error?: string };

/** Whether a role should receive traffic, why not, and what it saw of Kafka and Redis. */
export type Readiness = {
  ready: boolean;
  /** Why the role is not ready, naming the dependency at fault (e.g. `Kafka is unreachable: …`). */
  reason?: string;
  /** Reported separately so an operator sees which of the two is down; absent when the role does not use it. */
  kafka?: DependencyStatus;
  redis?: DependencyStatus;
};

/**
 * The lifecycle every role implements (ingest, process, gateway), so the CLI runs, watches and
 * probes them the same way.
 */
export type Role<Started = void> = {
  /**
   * Starts the role. Resolves once it runs; a dependency that does not answer yet is retried in the
   * background and shows in {@link Role.readiness}, only a fatal error rejects (here or via `done`).
   */
  start(): Promise<Started>;
  /** Stops the role and closes its connections; idempotent. */
  stop(): Promise<void>;
  /** Resolves when the role stopped on request; rejects with the error that stopped it otherwise. */
  done: Promise<void>;
  /** Whether the role should receive traffic now. */
  readiness(): Readiness | Promise<Readiness>;
};

/** Readiness of every role of one process, as `/readyz` answers it. */
export type ReadinessReport = {
  ready: boolean;
  roles: Partial<Record<RoleName, Readiness>>;
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Collects the readiness of the given roles; ready only when every one is. */
export async function collectReadiness(
  roles: { name: RoleName; readiness: () => Readiness | Promise<Readiness> }[],
): Promise<ReadinessReport> {
  const entries = await Promise.all(
    roles.map(async (role): Promise<[RoleName, Readiness]> => {
      try {
        return [role.name, await role.readiness()];
      } catch (error) {
        return [role.name, { ready: false, reason: `readiness check failed: ${messageOf(error)}` }];
      }
    }),
  );
  return {
    ready: entries.length > 0 && entries.every(([, readiness]) => readiness.ready),
    roles: Object.fromEntries(entries),
  };
}

/**
 * The HTTP answer to `/readyz`: 200 when every role is ready, else 503, with a JSON body naming each
 * role's state and reason (`{ status, ready, reason, roles: { process: { ready, reason, kafka, redis } } }`).
 */
export function readinessResponse(report: ReadinessReport): { statusCode: number; body: string } {
  const entries = Object.entries(report.roles);
  // The operations server answers before the first role is created: say why it is not ready yet.
  const reasons =
    entries.length === 0
      ? ['no role has started yet']
      : entries
          .filter(([, readiness]) => !readiness?.ready)
          .map(([name, readiness]) => `${name}: ${readiness?.reason ?? 'not ready'}`);
  return {
    statusCode: report.ready ? 200 : 503,
    body: JSON.stringify({
      status: report.ready ? 'ready' : 'not ready',
      ready: report.ready,
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
      roles: report.roles,
    }),
  };
}
