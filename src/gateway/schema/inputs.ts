import { contractKey, contractKeys } from '../../domain/index.ts';
import type { GatewayServices } from '../context.ts';
import type { StreamSource } from '../stream/eventStream.ts';
import type { PositionMap, StreamPosition } from '../stream/resumeToken.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import type { ContractSpec } from './describeContracts.ts';
import { type ArgCondition, matchEvents } from './filter.ts';

/** `EventFilter` input as received by resolvers. */
export type EventFilterInput = {
  chainId?: number | null;
  contracts?: `0x${string}`[] | null;
  events?: string[] | null;
  args?: ArgCondition[] | null;
};

/** Adds the `EventFilter` and `ArgFilter` input types. */
export function addFilterInputs(builder: Builder) {
  const argFilter = builder.inputType('ArgFilter', {
    description:
      'The decoded arg `name` must equal `value` (addresses/hex case-insensitive, integers numerically). Conditions on the same name are OR-ed, on different names AND-ed.',
    fields: (t) => ({
      name: t.string({ required: true }),
      value: t.string({ required: true }),
    }),
  });
  const eventFilter = builder.inputType('EventFilter', {
    description:
      'Which events: all fields optional; omitted means every configured chain / contract / event.',
    fields: (t) => ({
      chainId: t.int({ required: false }),
      contracts: t.field({ type: ['Address'], required: false }),
      events: t.stringList({ required: false, description: 'ABI event names, e.g. "Transfer".' }),
      args: t.field({ type: [argFilter], required: false }),
    }),
  });
  return { eventFilter, argFilter };
}

/** Contracts, journals and predicate selected by a filter. */
export type ResolvedFilter = {
  contracts: ContractSpec[];
  sources: StreamSource[];
  predicate: ReturnType<typeof matchEvents>;
};

/** Resolves a filter against the configured contracts; unknown chains/contracts are errors naming the field. */
export function resolveFilter(
  services: GatewayServices,
  filter: EventFilterInput | null | undefined,
  argument = 'filter',
): ResolvedFilter {
  const { catalog, keyPrefix } = services;
  const chainId = filter?.chainId ?? undefined;
  if (chainId !== undefined && !catalog.chainIds.includes(chainId)) {
    throw badUserInput(
      `${argument}.chainId`,
      `must be a configured chain (${catalog.chainIds.join(', ')}). Got ${chainId}.`,
    );
  }
  const candidates = catalog.contracts.filter(
    (contract) => chainId === undefined || contract.chainId === chainId,
  );
  let contracts = candidates;
  if (filter?.contracts && filter.contracts.length > 0) {
    contracts = [];
    filter.contracts.forEach((address, index) => {
      const found = candidates.filter((contract) => contract.address === address.toLowerCase());
      if (found.length === 0) {
        throw badUserInput(
          `${argument}.contracts[${index}]`,
          `must be a configured contract${chainId === undefined ? '' : ` of chain ${chainId}`}. Got ${address}.`,
        );
      }
      for (const contract of found) if (!contracts.includes(contract)) contracts.push(contract);
    });
  }
  const sources = contracts.map((contract) => ({
    chainId: contract.chainId,
    address: contract.address,
    journalKey: contractKeys(keyPrefix, contract.chainId, contract.address).journal,
  }));
  return {
    contracts,
    sources,
    predicate: matchEvents(filter?.events ?? undefined, filter?.args ?? undefined),
  };
}

/** Expands an `after` argument to one position per contract (a plain cursor applies to all). */
export function positionsFrom(
  position: StreamPosition | null | undefined,
  contracts: ContractSpec[],
): PositionMap | undefined {
  if (!position) return undefined;
  if (position.kind === 'token') {
    const wanted = new Set(contracts.map((contract) => contractKey(contract.chainId, contract.address)));
    return Object.fromEntries(Object.entries(position.positions).filter(([key]) => wanted.has(key)));
  }
  return Object.fromEntries(
    contracts.map((contract) => [contractKey(contract.chainId, contract.address), position.cursor]),
  );
}
