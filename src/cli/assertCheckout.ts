import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../dev-stack/paths.ts';
import { ConfigError } from '../shared/errors/index.ts';

/**
 * `blockwire dev` and `blockwire demo` run the development stack: Kafka resolved by a Maven file under
 * src/, the demo contracts of test/, Hardhat and solc (dev dependencies). The published package ships
 * none of them, so an installed CLI says so instead of failing halfway through.
 */
export function assertCheckout(command: 'dev' | 'demo'): void {
  const needed = ['src/dev-stack/kafka/pom.xml', 'test/contracts'];
  if (needed.every((path) => existsSync(join(repoRoot, path)))) return;
  throw new ConfigError(
    `"blockwire ${command}" runs the local development stack and needs a checkout of the blockwire repository ("npm ci && npm start" there). An installed blockwire runs against your own Kafka, Redis and chain: "blockwire start --role all --config blockwire.yaml".`,
  );
}
