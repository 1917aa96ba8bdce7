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
  type ResolvedTemplate,
} from './loadConfig.ts';
export {
  type ProjectionConfig,
  type ProjectionHandlerConfig,
  projectionConfigSchema,
} from './projectionSchema.ts';
export { type ResolvedOps, resolveOps } from './resolveOps.ts';
export {
  type ProjectionFieldType,
  type ProjectionSource,
  type ProjectionValue,
  type ResolvedProjection,
  type ResolvedProjectionHandler,
  reservedEntityFields,
  resolveProjections,
} from './resolveProjections.ts';
export { type ChainConfig, type Config, type ContractConfig, configSchema } from './schema.ts';
