import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

/** A contract entry of the dev config: `abi` is a standard name or a path relative to the config file. */
export type DevContractEntry = {
  name: string;
  address: string;
  abi: string;
  startBlock: number;
  projections?: unknown;
};

/** A factory template of the dev config (docs/factories.md): no address, a `factory` instead. */
export type DevTemplateEntry = {
  name: string;
  abi: string;
  factory: { contract: string; event: string; address: string };
  projections?: unknown;
};

/** Parameters of {@link writeDevConfig}. */
export type WriteDevConfigParameters = {
  path: string;
  chainId: number;
  rpcHttp: string;
  rpcWs: string;
  kafkaBrokers: string[];
  redisUrl: string;
  /** Config entries: contracts, and templates of the factories among them. */
  contracts: (DevContractEntry | DevTemplateEntry)[];
  confirmations: number;
  gatewayPort: number;
  /**
   * Distinguishes this run's topics and keys: every dev run starts a fresh chain whose demo contracts
   * get the same addresses, so reusing an earlier run's topics would mix two histories.
   */
  runId: string;
};

/** Writes the config `blockwire dev` runs with, so a user can read it and reuse it with `start`. */
export function writeDevConfig(parameters: WriteDevConfigParameters): void {
  const config = {
    chains: [
      {
        name: 'hardhat',
        chainId: parameters.chainId,
        rpc: { http: parameters.rpcHttp, ws: parameters.rpcWs },
        confirmations: parameters.confirmations,
        pollIntervalMs: 500,
        contracts: parameters.contracts,
      },
    ],
    kafka: {
      brokers: parameters.kafkaBrokers,
      topicPrefix: `blockwire-dev-${parameters.runId}`,
      partitions: 3,
    },
    redis: { url: parameters.redisUrl, keyPrefix: `bw-dev-${parameters.runId}:` },
    gateway: { port: parameters.gatewayPort, graphiql: true, maskErrors: false },
  };
  mkdirSync(dirname(parameters.path), { recursive: true });
  writeFileSync(
    parameters.path,
    `# Written by "blockwire dev"; reusable with "blockwire start --config ${parameters.path}".\n${stringify(config)}`,
  );
}
