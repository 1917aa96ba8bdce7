import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Abi } from 'viem';
import { parse as parseYaml } from 'yaml';
import { type StandardAbiName, standardAbi } from '../../domain/index.ts';
import { ConfigError } from '../errors/index.ts';
import { checkLimits, defaultHeaderWindowBlocks } from './checkLimits.ts';
import { formatIssue, formatPath } from './formatIssue.ts';
import { interpolateEnv } from './interpolateEnv.ts';
import { type ResolvedOps, resolveOps } from './resolveOps.ts';
import { type ResolvedProjection, resolveProjections } from './resolveProjections.ts';
import { type ChainConfig, type Config, type ContractConfig, configSchema } from './schema.ts';

/** How a contract's events are projected: a standard token kind, or counters and journal only. */
export type AbiKind = StandardAbiName | 'custom';

/** A contract with its ABI loaded. */
export type ResolvedContract = Omit<ContractConfig, 'abi' | 'projections'> & {
  abi: Abi;
  abiKind: AbiKind;
  abiSource: string;
  /** Custom state declared for the contract (empty when none). */
  projections: ResolvedProjection[];
};
/** A chain with its contracts resolved and its header window settled. */
export type ResolvedChain = Omit<ChainConfig, 'contracts' | 'headerWindowBlocks'> & {
  headerWindowBlocks: number;
  contracts: ResolvedContract[];
};
/** Validated configuration with ABIs loaded and the operations server settled. */
export type ResolvedConfig = Omit<Config, 'chains' | 'ops'> & { chains: ResolvedChain[]; ops: ResolvedOps };

/** Parameters of {@link parseConfig}. */
export type ParseConfigParameters = {
  /** The parsed file content (object). */
  raw: unknown;
  /** Folder that relative ABI paths are resolved against. */
  baseDir: string;
  /** Environment for `${NAME}` interpolation and the `METRICS_PORT` override. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
};

const standardNames = new Set<string>(['erc20', 'erc721', 'erc1155']);

function loadAbiFile(path: string, field: string): Abi {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Validation failed: ${field} must be erc20, erc721, erc1155 or a readable JSON ABI file. Got ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}).`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Validation failed: ${field} file ${path} is not valid JSON.`, { cause: error });
  }
  const abi = Array.isArray(parsed) ? parsed : (parsed as { abi?: unknown } | null)?.abi;
  if (!Array.isArray(abi) || !abi.every((item) => item && typeof item === 'object' && 'type' in item)) {
    throw new ConfigError(
      `Validation failed: ${field} file ${path} must hold a JSON ABI array (or an artifact with an "abi" array).`,
    );
  }
  return abi as Abi;
}

/** Validates an already parsed config object and loads its ABIs. Throws {@link ConfigError}. */
export function parseConfig({ raw, baseDir, env = process.env }: ParseConfigParameters): ResolvedConfig {
  const interpolated = interpolateEnv(raw, env);
  const result = configSchema.safeParse(interpolated);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => formatIssue(issue, interpolated));
    throw new ConfigError(issues[0]!, {
      details: issues.length > 1 ? issues.slice(1).join('\n') : undefined,
    });
  }
  const config = result.data;
  checkLimits(config);
  const ops = resolveOps(config, env);
  const chainIds = new Set<number>();
  const chains = config.chains.map((chain, chainIndex): ResolvedChain => {
    if (chainIds.has(chain.chainId)) {
      throw new ConfigError(
        `Validation failed: chains[${chainIndex}].chainId must be unique. Got ${chain.chainId} twice.`,
      );
    }
    chainIds.add(chain.chainId);
    const addresses = new Set<string>();
    const names = new Set<string>();
    const contracts = chain.contracts.map((contract, contractIndex): ResolvedContract => {
      const field = formatPath(['chains', chainIndex, 'contracts', contractIndex]);
      if (addresses.has(contract.address))
        throw new ConfigError(
          `Validation failed: ${field}.address must be unique per chain. Got ${contract.address} twice.`,
        );
      if (names.has(contract.name))
        throw new ConfigError(
          `Validation failed: ${field}.name must be unique per chain. Got ${contract.name} twice.`,
        );
      addresses.add(contract.address);
      names.add(contract.name);
      const { projections = [], ...rest } = contract;
      if (standardNames.has(contract.abi)) {
        const kind = contract.abi as StandardAbiName;
        const abi = standardAbi(kind);
        return {
          ...rest,
          abi,
          abiKind: kind,
          abiSource: kind,
          projections: resolveProjections(projections, abi, field),
        };
      }
      const path = resolve(baseDir, contract.abi);
      const abi = loadAbiFile(path, `${field}.abi`);
      return {
        ...rest,
        abi,
        abiKind: 'custom',
        abiSource: path,
        projections: resolveProjections(projections, abi, field),
      };
    });
    return {
      ...chain,
      headerWindowBlocks: chain.headerWindowBlocks ?? defaultHeaderWindowBlocks(chain.confirmations),
      contracts,
    };
  });
  return { ...config, chains, ops };
}

/** Reads a YAML or JSON config file, interpolates `${ENV}`, validates it and loads its ABIs. */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
      {
        cause: error,
      },
    );
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `Config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return parseConfig({ raw, baseDir: dirname(resolve(path)), env });
}
