import { ConfigError } from '../errors/index.ts';
import type { Config } from './schema.ts';

/** The ingestor's confirmed-header window when `chains[i].headerWindowBlocks` is not set. */
export function defaultHeaderWindowBlocks(confirmations: number): number {
  return Math.max(2 * confirmations, 64);
}

/**
 * Refuses limits that are valid one by one but contradict each other: more in-sync replicas than
 * replicas, or an ingest header window deeper than the processor can reverse. Throws {@link ConfigError}.
 */
export function checkLimits(config: Config): void {
  const { replicationFactor, minInsyncReplicas } = config.kafka;
  if (minInsyncReplicas > replicationFactor) {
    throw new ConfigError(
      `Validation failed: kafka.minInsyncReplicas must be <= kafka.replicationFactor (${replicationFactor}). Got ${minInsyncReplicas}.`,
    );
  }
  const reorgWindow = config.process.reorgWindowBlocks;
  config.chains.forEach((chain, index) => {
    const window = chain.headerWindowBlocks ?? defaultHeaderWindowBlocks(chain.confirmations);
    if (window <= reorgWindow) return;
    const field = `chains[${index}].headerWindowBlocks`;
    const shown =
      chain.headerWindowBlocks === undefined
        ? `${window} (the default, max(2 × confirmations, 64) with confirmations ${chain.confirmations})`
        : String(window);
    throw new ConfigError(
      `Validation failed: ${field} must be <= process.reorgWindowBlocks (${reorgWindow}): the ingestor would retract events older than the processor can reverse. Got ${shown}.`,
      { details: `Lower ${field} or raise process.reorgWindowBlocks.` },
    );
  });
}
