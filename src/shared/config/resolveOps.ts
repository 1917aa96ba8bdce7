import { ConfigError } from '../errors/index.ts';
import type { Config } from './schema.ts';

/** Where a process serves `/metrics`, `/healthz` and `/readyz` besides the gateway port. */
export type ResolvedOps = {
  /** Port of the operations server; undefined when none is configured (only the gateway serves them). */
  port: number | undefined;
  /** Interface it listens on: `ops.host`, else `gateway.host`. */
  host: string;
};

/** Reads `METRICS_PORT`, refusing anything but a port number. */
function portFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535)
    throw new ConfigError(
      `Validation failed: the environment variable METRICS_PORT must be a port number (0 to 65535). Got ${value}.`,
    );
  return port;
}

/**
 * Settles the operations server of a process. Precedence of the port: the `METRICS_PORT`
 * environment variable when set and not empty, else `ops.port`, else none. A port equal to the
 * (fixed, non-zero) `gateway.port` is refused: the gateway already answers there, and the two
 * servers could not both listen on it. Throws {@link ConfigError}.
 */
export function resolveOps(config: Pick<Config, 'ops' | 'gateway'>, env: NodeJS.ProcessEnv): ResolvedOps {
  const fromEnv = portFromEnv(env.METRICS_PORT);
  const port = fromEnv ?? config.ops.port;
  const gatewayPort = config.gateway.port;
  if (port !== undefined && port !== 0 && port === gatewayPort) {
    const field = fromEnv !== undefined ? 'the environment variable METRICS_PORT' : 'ops.port';
    throw new ConfigError(
      `Validation failed: ${field} must differ from gateway.port (${gatewayPort}): the gateway serves /metrics, /healthz and /readyz on its own port already. Got ${port}.`,
      {
        details: `Pick another port for ${fromEnv !== undefined ? 'METRICS_PORT' : 'ops.port'}, or leave it unset to serve them on the gateway port only.`,
      },
    );
  }
  return { port, host: config.ops.host ?? config.gateway.host };
}
