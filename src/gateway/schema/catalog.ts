import { contractKey } from '../../domain/index.ts';
import type { ResolvedConfig } from '../../shared/config/index.ts';
import { type ContractSpec, describeContracts, type EventTypeSpec } from './describeContracts.ts';
import { describeProjections, type ProjectionSpec } from './describeProjections.ts';

/** Lookup of configured contracts, the GraphQL type of each of their events, and their projections. */
export type Catalog = {
  contracts: ContractSpec[];
  /** The GraphQL shape of every configured projection. */
  projections: ProjectionSpec[];
  chainIds: number[];
  /** A configured contract by chain id and address (any case). */
  contract(chainId: number, address: string): ContractSpec | undefined;
  contractsOfChain(chainId: number): ContractSpec[];
  /** The event type of a decoded log, matched by signature, then by name. */
  eventType(
    chainId: number,
    address: string,
    signature: string | null,
    eventName: string | null,
  ): EventTypeSpec | undefined;
};

/** Builds the contract/event-type lookup of a config. */
export function createCatalog(config: ResolvedConfig): Catalog {
  const contracts = describeContracts(config);
  const byKey = new Map<string, ContractSpec>();
  const bySignature = new Map<string, EventTypeSpec>();
  const byName = new Map<string, EventTypeSpec>();
  for (const contract of contracts) {
    const key = contractKey(contract.chainId, contract.address);
    byKey.set(key, contract);
    for (const event of contract.events) {
      bySignature.set(`${key}|${event.signature}`, event);
      if (!byName.has(`${key}|${event.eventName}`)) byName.set(`${key}|${event.eventName}`, event);
    }
  }
  return {
    contracts,
    projections: describeProjections(config, contracts),
    chainIds: config.chains.map((chain) => chain.chainId),
    contract: (chainId, address) => byKey.get(contractKey(chainId, address)),
    contractsOfChain: (chainId) => contracts.filter((contract) => contract.chainId === chainId),
    eventType: (chainId, address, signature, eventName) => {
      const key = contractKey(chainId, address);
      return (
        (signature ? bySignature.get(`${key}|${signature}`) : undefined) ??
        (eventName ? byName.get(`${key}|${eventName}`) : undefined)
      );
    },
  };
}
