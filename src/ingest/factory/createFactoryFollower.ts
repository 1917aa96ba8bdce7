import type { Kafka } from 'kafkajs';
import { toEventSelector } from 'viem';
import { type ChainEvent, childKey } from '../../domain/index.ts';
import type { ResolvedChain } from '../../shared/config/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { createLogDecoder, type LogDecoder } from '../createLogDecoder.ts';
import { consumeToEnd } from '../kafka-read/consumeToEnd.ts';
import type { RawLog } from '../rpc/types.ts';
import { childAddressOf } from './childAddressOf.ts';
import { type ChildRecord, type ChildRegistry, createChildRegistry } from './index.ts';
import { type LogFilter, planLogFilters } from './planLogFilters.ts';

/** A record of the compacted children topic: a child, or a tombstone (`value` null) once reorged out. */
export type ChildMessage = { key: string; value: string | null };

/**
 * What one ingest session knows of a chain's factories and their children, and how their logs are
 * asked for and decoded. On a chain without templates it only decodes and filters the configured
 * contracts.
 */
export type FactoryFollower = {
  /** True when the chain has factory templates. */
  active: boolean;
  registry: ChildRegistry;
  /** Decodes a log of a configured contract or of a child (which then carries its template). */
  decode: LogDecoder;
  /** Addresses of the configured contracts (factories included). */
  staticAddresses: `0x${string}`[];
  /** Whether `address` (lower-case) is a configured contract. */
  isConfigured(address: string): boolean;
  /** Whether `address` (lower-case) is a factory of a template. */
  isFactory(address: string): boolean;
  /** Whether a log is followed: a configured contract's from its startBlock, a child's from its creation. */
  keeps(log: RawLog): boolean;
  /** The children `events` announce (creation events of a factory, not REMOVED), in order. */
  creationsIn(events: readonly ChainEvent[]): ChildRecord[];
  /** Follows the children `events` announce; returns those not followed before. */
  register(events: readonly ChainEvent[]): ChildRecord[];
  /** Stops following the children whose creation is among `events` (reorged out); returns them. */
  unregister(events: readonly ChainEvent[]): ChildRecord[];
  /**
   * The `eth_getLogs` filters for the children created at or before `toBlock`, leaving out those in
   * `asked` (whose logs a call already covers).
   */
  childFilters(toBlock: number, asked?: ReadonlySet<string>): LogFilter[];
  /** Children topic records: the children `events` create, tombstones for those they retract. */
  messagesOf(events: readonly ChainEvent[]): ChildMessage[];
  /** Reads the chain's children from the compacted children topic (what is committed) into the registry. */
  load(kafka: Kafka, topic: string, groupId: string): Promise<void>;
};

/** Parameters of {@link createFactoryFollower}. */
export type CreateFactoryFollowerParameters = { chain: ResolvedChain; logger: Logger };

/** Creates the {@link FactoryFollower} of one session of a chain. */
export function createFactoryFollower({ chain, logger }: CreateFactoryFollowerParameters): FactoryFollower {
  const chainId = chain.chainId;
  const registry = createChildRegistry();
  const staticAddresses = chain.contracts.map((contract) => contract.address);
  const startOf = new Map(chain.contracts.map((contract) => [contract.address, contract.startBlock]));
  /** Templates by factory address and creation event name. */
  const templatesOf = new Map<string, ResolvedChain['templates']>();
  for (const template of chain.templates) {
    const key = `${template.factory.address}:${template.factory.event}`;
    templatesOf.set(key, [...(templatesOf.get(key) ?? []), template]);
  }
  const selectors = [
    ...new Set(
      chain.templates.flatMap((template) =>
        template.abi.flatMap((item) =>
          item.type === 'event' && !item.anonymous ? [toEventSelector(item)] : [],
        ),
      ),
    ),
  ];
  const active = chain.templates.length > 0;
  const factoryAddresses = new Set<string>(chain.templates.map((template) => template.factory.address));

  const creationsIn = (events: readonly ChainEvent[]): ChildRecord[] => {
    if (!active) return [];
    const children: ChildRecord[] = [];
    for (const event of events) {
      if (event.status === 'REMOVED' || !event.eventName) continue;
      const templates = templatesOf.get(`${event.address}:${event.eventName}`);
      if (!templates) continue;
      for (const template of templates) {
        const child = childAddressOf(event, template.factory.path);
        if (!child.ok) {
          logger.warn({
            msg: 'A creation event names no child address; no contract is followed for it',
            chain_id: chainId,
            template: template.name,
            reason: child.reason,
          });
          continue;
        }
        children.push({
          address: child.value,
          template: template.name,
          factory: event.address,
          block: event.blockNumber,
          creationId: event.id,
        });
      }
    }
    return children;
  };

  return {
    active,
    registry,
    staticAddresses,
    decode: createLogDecoder({
      chainId,
      contracts: chain.contracts,
      templates: chain.templates,
      templateOf: active ? (log) => registry.childOf(log.address, log.blockNumber)?.template : undefined,
    }),
    isConfigured: (address) => startOf.has(address as `0x${string}`),
    isFactory: (address) => factoryAddresses.has(address),
    keeps(log) {
      const start = startOf.get(log.address);
      if (start !== undefined) return log.blockNumber >= start;
      return active && registry.childOf(log.address, log.blockNumber) !== undefined;
    },
    creationsIn,
    register(events) {
      return creationsIn(events).filter((child) => registry.add(child));
    },
    unregister(events) {
      if (!active) return [];
      return events.flatMap((event) => registry.removeCreation(event.id));
    },
    childFilters(toBlock, asked) {
      if (!active) return [];
      const addresses = registry
        .addressesUpTo(toBlock)
        .filter((address) => asked === undefined || !asked.has(address));
      return planLogFilters({
        addresses,
        maxAddressesPerCall: chain.factoryLogFilter.maxAddressesPerCall,
        topicOnlyAbove: chain.factoryLogFilter.topicOnlyAbove,
        selectors,
      });
    },
    messagesOf(events) {
      if (!active) return [];
      const messages: ChildMessage[] = [];
      for (const event of events) {
        const removed = event.status === 'REMOVED';
        for (const child of creationsIn(removed ? [{ ...event, status: 'CONFIRMED' }] : [event])) {
          // An address announced again keeps its first creation: only that one is recorded.
          if (!removed && registry.childOf(child.address, child.block)?.creationId !== child.creationId)
            continue;
          messages.push({
            key: childKey(chainId, child.address),
            value: removed ? null : JSON.stringify(child),
          });
        }
      }
      return messages;
    },
    async load(kafka, topic, groupId) {
      if (!active) return;
      const prefix = `${chainId}:`;
      await consumeToEnd({
        kafka,
        topic,
        groupId,
        onMessage: (message) => {
          const key = message.key?.toString('utf8');
          if (!key?.startsWith(prefix)) return;
          if (!message.value) {
            registry.remove(key.slice(prefix.length));
            return;
          }
          let child: ChildRecord;
          try {
            child = JSON.parse(message.value.toString('utf8')) as ChildRecord;
          } catch (error) {
            throw new Error(`The children topic ${topic} holds a record of ${key} that is not JSON`, {
              cause: error,
            });
          }
          registry.remove(child.address);
          registry.add(child);
        },
      });
      logger.info({ msg: 'Children of factories read', chain_id: chainId, children: registry.size() });
    },
  };
}
