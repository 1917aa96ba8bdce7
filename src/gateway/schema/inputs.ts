import { isAddress } from '../../domain/evm.ts';
import { contractKey, contractKeys } from '../../domain/index.ts';
import type { GatewayServices } from '../context.ts';
import type { StreamSource } from '../stream/eventStream.ts';
import type { PositionMap, StreamPosition } from '../stream/resumeToken.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import type { ContractSpec } from './describeContracts.ts';
import { type ArgCondition, matchEvents } from './filter.ts';
import { findChildContracts } from './findChildContracts.ts';
import { listChildContracts } from './listChildContracts.ts';

/** `EventFilter` input as received by resolvers. */
export type EventFilterInput = {
  chainId?: number | null;
  /** Addresses (any case) or names of configured contracts and factory templates. */
  contracts?: string[] | null;
  events?: string[] | null;
  args?: ArgCondition[] | null;
};

/**
 * Most contracts one filter may stand for (a template's name can stand for thousands): each is one
 * journal read and one channel subscription per subscriber.
 */
export const maxFilterContracts = 1000;

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
      'Which events: all fields optional; omitted means every configured chain / contract / event (contracts created by factories only when named in `contracts`).',
    fields: (t) => ({
      chainId: t.int({ required: false }),
      contracts: t.stringList({
        required: false,
        description: `Contract addresses (lower-case or EIP-55): configured contracts or contracts a factory created. Or names: a configured contract's, or a factory template's, which stands for every contract its factory created as known when the query runs or the subscription starts (a subscription does not pick up contracts created after it started; resubscribing with a resumeToken adds them, from their first event). At most ${maxFilterContracts} contracts in all.`,
      }),
      events: t.stringList({ required: false, description: 'ABI event names, e.g. "Transfer".' }),
      args: t.field({ type: [argFilter], required: false }),
    }),
  });
  return { eventFilter, argFilter };
}

/** Contracts, journals and predicate selected by a filter. */
export type ResolvedFilter = {
  contracts: ContractSpec[];
  /** Keys (`contractKey`) of the contracts that a template name in the filter stood for. */
  fromTemplates: ReadonlySet<string>;
  sources: StreamSource[];
  predicate: ReturnType<typeof matchEvents>;
};

/** One `filter.contracts` entry: an address (lower-case) or a name; undefined when malformed. */
function parseContractRef(value: string): { address: string } | { name: string } | undefined {
  if (!/^0x/i.test(value)) return /^[A-Za-z][A-Za-z0-9_]*$/.test(value) ? { name: value } : undefined;
  return isAddress(value, { strict: true }) ? { address: value.toLowerCase() } : undefined;
}

/**
 * Resolves a filter against the configured contracts, the factory templates and (for addresses that
 * are not configured) the children lists of the templates in Redis; unknown chains/contracts are
 * errors naming the field. A template's name stands for its children listed when this runs.
 */
export async function resolveFilter(
  services: GatewayServices,
  filter: EventFilterInput | null | undefined,
  argument = 'filter',
): Promise<ResolvedFilter> {
  const { catalog, keyPrefix } = services;
  const chainId = filter?.chainId ?? undefined;
  if (chainId !== undefined && !catalog.chainIds.includes(chainId)) {
    throw badUserInput(
      `${argument}.chainId`,
      `must be a configured chain (${catalog.chainIds.join(', ')}). Got ${chainId}.`,
    );
  }
  const chainIds = chainId === undefined ? catalog.chainIds : [chainId];
  const candidates = catalog.contracts.filter(
    (contract) => chainId === undefined || contract.chainId === chainId,
  );
  let contracts = candidates;
  let fromTemplates: ReadonlySet<string> = new Set();
  if (filter?.contracts && filter.contracts.length > 0) {
    ({ contracts, fromTemplates } = await contractsNamed(
      services,
      filter.contracts,
      chainIds,
      `${argument}.contracts`,
    ));
  }
  if (contracts.length > maxFilterContracts)
    throw badUserInput(
      `${argument}.contracts`,
      `must stand for at most ${maxFilterContracts} contracts. Got ${contracts.length} (a template stands for every contract its factory created): name the addresses instead.`,
    );
  const sources = contracts.map((contract) => ({
    chainId: contract.chainId,
    address: contract.address,
    journalKey: contractKeys(keyPrefix, contract.chainId, contract.address).journal,
  }));
  return {
    contracts,
    fromTemplates,
    sources,
    predicate: matchEvents(filter?.events ?? undefined, filter?.args ?? undefined),
  };
}

/** The contracts `filter.contracts` names on the chains, in order, each once. */
async function contractsNamed(
  services: GatewayServices,
  values: string[],
  chainIds: number[],
  field: string,
): Promise<Pick<ResolvedFilter, 'contracts' | 'fromTemplates'>> {
  const { catalog } = services;
  const onChains = chainIds.length === 1 ? ` of chain ${chainIds[0]}` : '';
  const hasTemplates = chainIds.some((id) => catalog.templatesOfChain(id).length > 0);
  const refs = values.map((value, index) => {
    const ref = parseContractRef(value);
    if (!ref)
      throw badUserInput(
        `${field}[${index}]`,
        `must be a 20-byte hex address (lower-case or EIP-55 checksummed) or the name of a contract${hasTemplates ? ' or factory template' : ''}. Got ${JSON.stringify(value)}.`,
      );
    return ref;
  });
  const configured = (address: string) => chainIds.flatMap((id) => catalog.contract(id, address) ?? []);
  // Addresses that are no configured contract may be children of a factory (Redis knows).
  const children = await findChildContracts({
    services,
    chainIds,
    addresses: refs.flatMap((ref) =>
      'address' in ref && configured(ref.address).length === 0 ? ref.address : [],
    ),
  });
  // Per entry: the contracts it stands for, or undefined when it names nothing known (a template
  // without children yet is known and stands for none).
  const perRef = await Promise.all(
    refs.map(async (ref): Promise<ContractSpec[] | undefined> => {
      if ('address' in ref) {
        const found = configured(ref.address);
        const child = children.get(ref.address) ?? [];
        if (found.length > 0) return found;
        return child.length > 0 ? child : undefined;
      }
      const named = chainIds.flatMap((id) =>
        catalog.contractsOfChain(id).filter((contract) => contract.name === ref.name),
      );
      const templates = chainIds.flatMap((id) => catalog.template(id, ref.name) ?? []);
      if (named.length + templates.length === 0) return undefined;
      const listed = await Promise.all(templates.map((template) => listChildContracts(services, template)));
      return [...named, ...listed.flat()];
    }),
  );
  const contracts: ContractSpec[] = [];
  const seen = new Set<string>();
  const fromTemplates = new Set<string>();
  perRef.forEach((found, index) => {
    if (!found)
      throw badUserInput(
        `${field}[${index}]`,
        hasTemplates
          ? `must be a configured contract, a contract created by a factory, or the name of a contract or factory template${onChains}. Got ${values[index]}.`
          : `must be a configured contract${onChains} or the name of one. Got ${values[index]}.`,
      );
    for (const contract of found) {
      const key = contractKey(contract.chainId, contract.address);
      if ('name' in refs[index]! && contract.template !== undefined) fromTemplates.add(key);
      if (seen.has(key)) continue;
      seen.add(key);
      contracts.push(contract);
    }
  });
  return { contracts, fromTemplates };
}

/**
 * Expands an `after` argument to one position per contract (a plain cursor applies to all). With a
 * token, the contracts in `fromBeginning` that it lacks start at `0-0`: the children a template name
 * stands for that were created after the token's subscription or page started, whose whole journal
 * comes after it (the other contracts a token lacks start live).
 */
export function positionsFrom(
  position: StreamPosition | null | undefined,
  contracts: ContractSpec[],
  fromBeginning: ReadonlySet<string> = new Set(),
): PositionMap | undefined {
  if (!position) return undefined;
  if (position.kind === 'token') {
    const wanted = new Set(contracts.map((contract) => contractKey(contract.chainId, contract.address)));
    const positions = Object.fromEntries(
      Object.entries(position.positions).filter(([key]) => wanted.has(key)),
    );
    for (const key of fromBeginning) if (wanted.has(key)) positions[key] ??= '0-0';
    return positions;
  }
  return Object.fromEntries(
    contracts.map((contract) => [contractKey(contract.chainId, contract.address), position.cursor]),
  );
}
