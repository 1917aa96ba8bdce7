import type { Logger } from 'pino';
import { ConfigError } from '../shared/errors/index.ts';

/** Parameters of {@link runDev}. */
export type RunDevParameters = { configPath: string | undefined; traffic: boolean; logger: Logger };

/** `blockwire dev`: local stack, demo contracts, all roles and demo traffic in one process. */
export async function runDev(_parameters: RunDevParameters): Promise<void> {
  throw new ConfigError('blockwire dev is not available yet.');
}
