import { type ChainEvent, contractKey } from '../../domain/index.ts';
import type { ResolvedConfig } from '../../shared/config/index.ts';
import {
  type ContractSpec,
  describeContracts,
  describeTemplates,
  type EventTypeSpec,
  type TemplateSpec,
} from './describeContracts.ts';
import { describeProjections, type ProjectionSpec } from './describeProjections.ts';

/** What identifies an event's type: where it comes from and its signature/name. */
export type EventTypeQuery = Pick<ChainEvent, 'chainId' | 'address' | 'signature' | 'eventName' | 'template'>;

/** Lookup of configured contracts, the GraphQL type of each of their events, and their projections. */
export type Catalog = {
  contracts: ContractSpec[];
  /** The factory templates of every chain (their children are found in Redis, see findChildContracts). */
  templates: TemplateSpec[];
  /** The GraphQL shape of every configured projection. */
  projections: ProjectionSpec[];
  chainIds: number[];
  /** A configured contract by chain id and address (any case). */
  contract(chainId: number, address: string): ContractSpec | undefined;
  contractsOfChain(chainId: number): ContractSpec[];
  /** A template by chain id and name. */
  template(chainId: number, name: string): TemplateSpec | undefined;
  templatesOfChain(chainId: number): TemplateSpec[];
  /**
   * The event type of a decoded log, matched by signature, then by name: in its template's types when
   * the event carries one (a factory's child), else in its contract's.
   */
  eventType(event: EventTypeQuery): EventTypeSpec | undefined;
  /** The spec of a contract the template's factory created: the template's types under its own address. */
  child(template: TemplateSpec, address: string): ContractSpec;
};

/** Builds the contract/event-type lookup of a config. */
export function createCatalog(config: ResolvedConfig): Catalog {
  const contracts = describeContracts(config);
  const templates = describeTemplates(config);
  const byKey = new Map<string, ContractSpec>();
  const templateByKey = new Map<string, TemplateSpec>();
  const bySignature = new Map<string, EventTypeSpec>();
  const byName = new Map<string, EventTypeSpec>();
  // Templates are keyed by name, contracts by address: the two never collide (a name is no address).
  const index = (key: string, events: EventTypeSpec[]) => {
    for (const event of events) {
      bySignature.set(`${key}|${event.signature}`, event);
      if (!byName.has(`${key}|${event.eventName}`)) byName.set(`${key}|${event.eventName}`, event);
    }
  };
  const templateKey = (chainId: number, name: string) => `${chainId}:template:${name}`;
  for (const contract of contracts) {
    const key = contractKey(contract.chainId, contract.address);
    byKey.set(key, contract);
    index(key, contract.events);
  }
  for (const template of templates) {
    const key = templateKey(template.chainId, template.name);
    templateByKey.set(key, template);
    index(key, template.events);
  }
  return {
    contracts,
    templates,
    projections: describeProjections(config, contracts, templates),
    chainIds: config.chains.map((chain) => chain.chainId),
    contract: (chainId, address) => byKey.get(contractKey(chainId, address)),
    contractsOfChain: (chainId) => contracts.filter((contract) => contract.chainId === chainId),
    template: (chainId, name) => templateByKey.get(templateKey(chainId, name)),
    templatesOfChain: (chainId) => templates.filter((template) => template.chainId === chainId),
    child: ({ factory: _, ...spec }, address) => ({
      ...spec,
      address: address.toLowerCase() as `0x${string}`,
      template: spec.name,
    }),
    eventType: ({ chainId, address, signature, eventName, template }) => {
      const key = template === undefined ? contractKey(chainId, address) : templateKey(chainId, template);
      return (
        (signature ? bySignature.get(`${key}|${signature}`) : undefined) ??
        (eventName ? byName.get(`${key}|${eventName}`) : undefined)
      );
    },
  };
}
