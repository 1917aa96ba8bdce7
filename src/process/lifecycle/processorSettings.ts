import { type TopicNames, topicNames } from '../../domain/index.ts';
import type { AbiKind, ResolvedConfig, ResolvedProjection } from '../../shared/config/index.ts';
import { createLogger, type Logger } from '../../shared/logger.ts';
import type { CreateProcessorParameters } from '../index.ts';

/** Everything a processor derives once from its config and options. */
export type ProcessorSettings = {
  config: ResolvedConfig;
  logger: Logger;
  topics: TopicNames;
  keyPrefix: string;
  /** Prefix of the per-epoch consumer groups (`<baseGroup>.<epoch>`) and of the side consumers' groups. */
  baseGroup: string;
  kafkaClientId: string;
  sessionTimeoutMs: number;
  reorgWindowBlocks: number;
  chunkSize: number;
  epochCheckIntervalMs: number;
  /** ABI kind per {@link contractSettingsKey}. */
  abiKinds: Map<string, AbiKind>;
  /** Projections (custom state) per {@link contractSettingsKey}, for contracts that declare some. */
  projections: Map<string, ResolvedProjection[]>;
};

/** Resolves a processor's settings: options override the config, the config overrides defaults. */
export function resolveProcessorSettings({
  config,
  logger,
  instanceId,
  options = {},
}: CreateProcessorParameters): ProcessorSettings {
  const abiKinds = new Map<string, AbiKind>();
  const projections = new Map<string, ResolvedProjection[]>();
  for (const chain of config.chains)
    for (const contract of chain.contracts) {
      abiKinds.set(contractSettingsKey(chain.chainId, contract.address), contract.abiKind);
      if (contract.projections.length > 0)
        projections.set(contractSettingsKey(chain.chainId, contract.address), contract.projections);
    }
  for (const chain of config.chains)
    for (const template of chain.templates) {
      abiKinds.set(contractSettingsKey(chain.chainId, template.name, true), template.abiKind);
      if (template.projections.length > 0)
        projections.set(contractSettingsKey(chain.chainId, template.name, true), template.projections);
    }
  return {
    config,
    logger: logger ?? createLogger('process', instanceId ? { instance_id: instanceId } : {}),
    topics: topicNames(config.kafka.topicPrefix),
    keyPrefix: config.redis.keyPrefix,
    baseGroup: config.process.groupId ?? `${config.kafka.topicPrefix}.process`,
    kafkaClientId: instanceId
      ? `${config.kafka.clientId}-process-${instanceId}`
      : `${config.kafka.clientId}-process`,
    sessionTimeoutMs: options.sessionTimeoutMs ?? config.process.sessionTimeoutMs,
    reorgWindowBlocks: options.reorgWindowBlocks ?? config.process.reorgWindowBlocks,
    chunkSize: options.chunkSize ?? 500,
    epochCheckIntervalMs: options.epochCheckIntervalMs ?? 1_000,
    abiKinds,
    projections,
  };
}

/**
 * Key of a contract's ABI kind and projections: `chainId:address`, or `chainId:template:<name>` for
 * the children of a factory template (events carry their template).
 */
export function contractSettingsKey(chainId: number, addressOrTemplate: string, template = false): string {
  return template ? `${chainId}:template:${addressOrTemplate}` : `${chainId}:${addressOrTemplate}`;
}
