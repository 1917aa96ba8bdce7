import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedConfig } from '../../../src/shared/config/index.ts';
import { parseConfig } from '../../../src/shared/config/index.ts';
import { randomId } from '../../support/random.ts';
import type { KindByAddress } from './referenceModel.ts';

/** Parameters of {@link createTestConfig}. */
export type CreateTestConfigParameters = {
  kafkaBrokers: string[];
  redisUrl: string;
  chainId: number;
  kinds: KindByAddress;
  partitions?: number;
  journalMaxEntries?: number;
  /** More contract entries as written in a config file (e.g. contracts with projections). */
  extraContracts?: Record<string, unknown>[];
};

/** A config with its own topic prefix, group id and key prefix, plus the path of its JSON file. */
export type TestConfig = { config: ResolvedConfig; path: string; raw: unknown };

/**
 * Builds a processor config for one test (custom contracts use an ABI file written next to the
 * config) and writes it to a temp file so child processes can load it.
 */
export function createTestConfig({
  kafkaBrokers,
  redisUrl,
  chainId,
  kinds,
  partitions = 3,
  journalMaxEntries = 1_000_000,
  extraContracts = [],
}: CreateTestConfigParameters): TestConfig {
  const id = randomId('proc');
  const dir = tmpdir();
  const abiPath = join(dir, `${id}-ping.json`);
  writeFileSync(
    abiPath,
    JSON.stringify([
      { type: 'event', name: 'Ping', inputs: [{ name: 'n', type: 'uint256', indexed: false }] },
    ]),
  );
  const raw = {
    chains: [
      {
        chainId,
        rpc: { http: 'http://127.0.0.1:1' },
        confirmations: 0,
        contracts: [
          ...Object.entries(kinds).map(([address, kind], index) => ({
            name: `C${index}`,
            address,
            abi: kind === 'custom' ? abiPath : kind,
          })),
          ...extraContracts,
        ],
      },
    ],
    kafka: { brokers: kafkaBrokers, topicPrefix: id, partitions },
    redis: { url: redisUrl, keyPrefix: `${id}:` },
    // A short session timeout: a killed instance's partitions move on quickly.
    process: { groupId: `${id}-group`, journalMaxEntries, sessionTimeoutMs: 6_000 },
  };
  const path = join(dir, `${id}.json`);
  writeFileSync(path, JSON.stringify(raw));
  return { config: parseConfig({ raw, baseDir: dir }), path, raw };
}
