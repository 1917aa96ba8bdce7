import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Abi, Hex } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { createLogger } from '../shared/logger.ts';
import { repoRoot, resolveStackDir } from './paths.ts';

const log = createLogger('dev-stack.contracts');

/** ABI and creation bytecode of one compiled contract. */
export type ContractArtifact = { abi: Abi; bytecode: Hex };

/** Compiled contracts by contract name, e.g. `DemoERC20`. */
export type ContractArtifacts = Record<string, ContractArtifact>;

/** Parameters of {@link compileContracts}. */
export type CompileContractsParameters = {
  /** Folder with `*.sol` files. Default `<repo>/test/contracts`. */
  sourcesDir?: string | undefined;
  /** Cache folder root. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
};

/** EVM version the demo contracts target; every Hardhat 2 hardfork since Paris accepts it. */
const EVM_VERSION = 'paris';

/**
 * Compiles every Solidity file in `sourcesDir` with solc-js (standard JSON) and returns ABI and
 * bytecode per contract. The result is cached in `<stackDir>/contracts/<sha256 of sources>.json`,
 * so only the first run after a source change pays for the compiler.
 */
export function compileContracts(parameters: CompileContractsParameters = {}): ContractArtifacts {
  const sourcesDir = parameters.sourcesDir ?? `${repoRoot}/test/contracts`;
  const files = readdirSync(sourcesDir)
    .filter((file) => file.endsWith('.sol'))
    .sort();
  if (files.length === 0) throw new StackError(`No Solidity sources in ${sourcesDir}`);
  const sources: Record<string, { content: string }> = {};
  for (const file of files) sources[file] = { content: readFileSync(`${sourcesDir}/${file}`, 'utf8') };

  const require = createRequire(import.meta.url);
  const solcVersion = (require('solc/package.json') as { version: string }).version;
  const hash = createHash('sha256')
    .update(JSON.stringify({ sources, solcVersion, EVM_VERSION }))
    .digest('hex');
  const cacheDir = `${resolveStackDir(parameters.stackDir)}/contracts`;
  const cacheFile = `${cacheDir}/${hash}.json`;
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as ContractArtifacts;

  log.info({ msg: 'Compiling contracts', solc: solcVersion, files });
  const solc = require('solc') as { compile(input: string): string };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((error) => error.severity === 'error');
  if (errors.length > 0) {
    throw new StackError(`Solidity compilation failed (${errors.length} errors)`, {
      details: errors.map((error) => error.formattedMessage).join('\n'),
    });
  }
  const artifacts: ContractArtifacts = {};
  for (const contracts of Object.values(output.contracts ?? {})) {
    for (const [name, contract] of Object.entries(contracts)) {
      // Interfaces have no bytecode and cannot be deployed.
      if (!contract.evm.bytecode.object) continue;
      artifacts[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(artifacts));
  renameSync(tmp, cacheFile);
  return artifacts;
}
