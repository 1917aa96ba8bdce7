export { formatIssue, formatPath } from './formatIssue.ts';
export { interpolateEnv } from './interpolateEnv.ts';
export {
  type AbiKind,
  loadConfig,
  type ParseConfigParameters,
  parseConfig,
  type ResolvedChain,
  type ResolvedConfig,
  type ResolvedContract,
} from './loadConfig.ts';
export { type ChainConfig, type Config, type ContractConfig, configSchema } from './schema.ts';
