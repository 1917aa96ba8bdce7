import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Abi, AbiEvent } from 'viem';
import { parse as parseYaml } from 'yaml';
import { toEventSelector } from '../../domain/evm.ts';
import { type StandardAbiName, standardAbi } from '../../domain/index.ts';
import { ConfigError } from '../errors/index.ts';
import { checkLimits, defaultHeaderWindowBlocks } from './checkLimits.ts';
import { formatIssue, formatPath } from './formatIssue.ts';
import { interpolateEnv } from './interpolateEnv.ts';
import type { ProjectionConfig } from './projectionSchema.ts';
import { type ResolvedOps, resolveOps } from './resolveOps.ts';
import { type ResolvedProjection, resolveProjections } from './resolveProjections.ts';
import { type ChainConfig, type Config, type ContractConfig, configSchema } from './schema.ts';

/** How a contract's events are projected: a standard token kind, or counters and journal only. */
export type AbiKind = StandardAbiName | 'custom';

/** A contract with its ABI loaded. */
export type ResolvedContract = Omit<ContractConfig, 'abi' | 'projections' | 'address' | 'factory'> & {
  address: `0x${string}`;
  abi: Abi;
  abiKind: AbiKind;
  abiSource: string;
  /** Custom state declared for the contract (empty when none). */
  projections: ResolvedProjection[];
};
/** A factory template: the contracts a factory announces, followed under one ABI and projections. */
export type ResolvedTemplate = Omit<ResolvedContract, 'address' | 'startBlock'> & {
  factory: {
    /** Name of the factory's contract entry. */
    contract: string;
    /** The factory's address (lower-case). */
    address: `0x${string}`;
    /** The creation event's name and topic0. */
    event: string;
    selector: `0x${string}`;
    /** `args.<name>` path of the child's address in the creation event. */
    path: string;
    /** The factory's projection that lists the children (`<Template>Children`, keyed by the address). */
    projection: string;
  };
};
/** A chain with its contracts resolved and its header window settled. */
export type ResolvedChain = Omit<ChainConfig, 'contracts' | 'headerWindowBlocks'> & {
  headerWindowBlocks: number;
  /** Contracts with an address (factories included). */
  contracts: ResolvedContract[];
  /** Factory templates (entries with `factory` instead of an address); empty when none. */
  templates: ResolvedTemplate[];
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
    const entries = chain.contracts.map((contract, contractIndex) => {
      const field = formatPath(['chains', chainIndex, 'contracts', contractIndex]);
      if (contract.address !== undefined && addresses.has(contract.address))
        throw new ConfigError(
          `Validation failed: ${field}.address must be unique per chain. Got ${contract.address} twice.`,
        );
      if (names.has(contract.name))
        throw new ConfigError(
          `Validation failed: ${field}.name must be unique per chain. Got ${contract.name} twice.`,
        );
      if (contract.address !== undefined) addresses.add(contract.address);
      names.add(contract.name);
      const loaded = standardNames.has(contract.abi)
        ? {
            abi: standardAbi(contract.abi as StandardAbiName),
            abiKind: contract.abi as AbiKind,
            abiSource: contract.abi,
          }
        : (() => {
            const path = resolve(baseDir, contract.abi);
            return { abi: loadAbiFile(path, `${field}.abi`), abiKind: 'custom' as const, abiSource: path };
          })();
      return { contract, field, ...loaded };
    });
    // A factory lists its children in a projection of its own, so the list is kept, reversed on
    // REMOVED and rebuilt from Kafka like any other state.
    const childLists = new Map<string, ProjectionConfig[]>();
    const templates: ResolvedTemplate[] = [];
    for (const { contract, field, abi, abiKind, abiSource } of entries) {
      const factory = contract.factory;
      if (factory === undefined) continue;
      const parent = entries.find((entry) => entry.contract.name === factory.contract);
      if (!parent || parent.contract.address === undefined)
        throw new ConfigError(
          `Validation failed: ${field}.factory.contract must name a contract of this chain that has an address. Got ${factory.contract}.`,
        );
      const creation = parent.abi.filter(
        (item): item is AbiEvent => item.type === 'event' && item.name === factory.event,
      );
      if (creation.length !== 1)
        throw new ConfigError(
          `Validation failed: ${field}.factory.event must name one event of ${factory.contract}'s ABI${creation.length > 1 ? ' (it is overloaded)' : ''}. Got ${factory.event}.`,
        );
      const projection = `${contract.name.charAt(0).toUpperCase()}${contract.name.slice(1).replace(/_/g, '')}Children`;
      const list = childLists.get(parent.contract.name) ?? [];
      list.push({
        name: projection,
        key: factory.address,
        on: { [factory.event]: { set: { createdAtBlock: 'block.number', createdInTx: 'tx.hash' } } },
      });
      childLists.set(parent.contract.name, list);
      const { projections = [], factory: _, address: __, startBlock: ___, ...rest } = contract;
      templates.push({
        ...rest,
        abi,
        abiKind,
        abiSource,
        projections: resolveProjections(projections, abi, field),
        factory: {
          contract: factory.contract,
          address: parent.contract.address,
          event: factory.event,
          selector: toEventSelector(creation[0]!),
          path: factory.address,
          projection,
        },
      });
    }
    const contracts: ResolvedContract[] = [];
    for (const { contract, field, abi, abiKind, abiSource } of entries) {
      if (contract.address === undefined) continue;
      const { projections = [], factory: _, ...rest } = contract;
      const own = resolveProjections(projections, abi, field);
      const lists = childLists.get(contract.name) ?? [];
      for (const list of lists) {
        if (own.some((projection) => projection.name === list.name))
          throw new ConfigError(
            `Validation failed: ${field}.projections has a projection named ${list.name}, the name of the list of its ${list.name.slice(0, -'Children'.length)} children; rename it.`,
          );
      }
      const children = resolveProjections(lists, abi, `${field}.factory`);
      for (const list of children) {
        const key = list.keyFields[0]!;
        if (list.keyFields.length !== 1 || key.type !== 'Address') {
          const template = templates.find((t) => t.factory.projection === list.name)!;
          throw new ConfigError(
            `Validation failed: the factory.address of template ${template.name} must name an address argument of ${template.factory.event}; ${template.factory.path} is a ${key.type}.`,
          );
        }
      }
      contracts.push({
        ...rest,
        address: contract.address,
        abi,
        abiKind,
        abiSource,
        projections: [...own, ...children],
      });
    }
    return {
      ...chain,
      headerWindowBlocks: chain.headerWindowBlocks ?? defaultHeaderWindowBlocks(chain.confirmations),
      contracts,
      templates,
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
