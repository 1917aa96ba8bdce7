import type { AbiEvent, AbiParameter } from 'viem';
import { toEventSignature } from '../../domain/evm.ts';
import type { AbiKind, ResolvedConfig, ResolvedTemplate } from '../../shared/config/index.ts';

/** GraphQL type of one ABI value. */
export type ArgType =
  | { kind: 'scalar'; name: 'BigInt' | 'Address' | 'Hex' | 'Boolean' | 'String' }
  | { kind: 'list'; of: ArgType }
  | { kind: 'object'; typeName: string; fields: ArgField[] };

/** One field of an args (or tuple) object type. */
export type ArgField = {
  /** GraphQL field name (sanitized ABI name, `arg<i>` when unnamed). */
  name: string;
  /** Key of the value in the decoded args object (ABI name, or the position when unnamed). */
  source: string;
  index: number;
  type: ArgType;
  /** Solidity type as written in the ABI, for descriptions. */
  solidityType: string;
  indexed: boolean;
};

/** The GraphQL object type of one ABI event of one contract. */
export type EventTypeSpec = {
  typeName: string;
  /** Absent when the event has no parameters (GraphQL objects need at least one field). */
  argsTypeName: string | undefined;
  eventName: string;
  signature: string;
  fields: ArgField[];
};

/** One configured contract with the GraphQL types of its events. */
export type ContractSpec = {
  chainId: number;
  address: `0x${string}`;
  /** The contract's name in the config; for a contract created by a factory, its template's name. */
  name: string;
  abiKind: AbiKind;
  /** Prefix of its GraphQL type names: the contract name, `<name>_<chainId>` if the name is reused with another ABI. */
  typeBase: string;
  events: EventTypeSpec[];
  /** Set for a contract created by a factory: the name of the template it is followed under. */
  template?: string;
};

/**
 * A factory template of one chain with the GraphQL types of its events (`<Template>_<Event>`, shared by
 * all its children), and where the factory lists its children.
 */
export type TemplateSpec = Omit<ContractSpec, 'address' | 'template'> & {
  factory: Pick<ResolvedTemplate['factory'], 'contract' | 'address' | 'projection'>;
};

/** A contract or template entry of a chain, as its event types are described. */
type Entry = { name: string; abi: readonly unknown[] };

/** `some-name` → `some_name`; names starting with a digit get a `_` prefix. */
function sanitize(name: string): string {
  const cleaned = name.replace(/[^_a-zA-Z0-9]/g, '_');
  return /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
}

function pascal(name: string): string {
  const cleaned = sanitize(name).replace(/^_+/, '');
  return cleaned.charAt(0).toUpperCase() + cleaned.slice(1);
}

function argType(parameter: AbiParameter, indexed: boolean, typeName: string): ArgType {
  const type = parameter.type;
  const arrayMatch = /^(.*)\[(\d*)\]$/.exec(type);
  // Indexed dynamic values (string, bytes, arrays, tuples) are only present as their keccak hash.
  if (indexed && (arrayMatch || type === 'string' || type === 'bytes' || type === 'tuple')) {
    return { kind: 'scalar', name: 'Hex' };
  }
  if (arrayMatch) {
    const inner = { ...parameter, type: arrayMatch[1]! } as AbiParameter;
    return { kind: 'list', of: argType(inner, false, typeName) };
  }
  if (type === 'tuple') {
    const components = 'components' in parameter ? parameter.components : [];
    return { kind: 'object', typeName, fields: argFields(components, typeName) };
  }
  if (/^u?int\d*$/.test(type)) return { kind: 'scalar', name: 'BigInt' };
  if (type === 'address') return { kind: 'scalar', name: 'Address' };
  if (type === 'bool') return { kind: 'scalar', name: 'Boolean' };
  if (type === 'string') return { kind: 'scalar', name: 'String' };
  return { kind: 'scalar', name: 'Hex' };
}

function argFields(parameters: readonly AbiParameter[], ownerTypeName: string): ArgField[] {
  const used = new Set<string>();
  return parameters.map((parameter, index) => {
    let name = parameter.name ? sanitize(parameter.name) : `arg${index}`;
    while (used.has(name)) name = `${name}_`;
    used.add(name);
    const indexed = 'indexed' in parameter && parameter.indexed === true;
    return {
      name,
      source: parameter.name || String(index),
      index,
      type: argType(parameter, indexed, `${ownerTypeName}_${pascal(name)}`),
      solidityType: parameter.type,
      indexed,
    };
  });
}

function eventSetKey(events: readonly AbiEvent[]): string {
  return events
    .map((event) => toEventSignature(event))
    .sort()
    .join('|');
}

function eventsOf(abi: readonly unknown[]): AbiEvent[] {
  return abi.filter((item): item is AbiEvent => (item as { type?: string }).type === 'event');
}

/**
 * The type base of each entry name: the name, or `<name>_<chainId>` when the name is used on several
 * chains (as a contract or a template) with ABIs declaring different events.
 */
function typeBases(config: ResolvedConfig): (name: string, chainId: number) => string {
  const setsByName = new Map<string, Set<string>>();
  for (const chain of config.chains) {
    for (const entry of [...chain.contracts, ...chain.templates] as Entry[]) {
      const sets = setsByName.get(entry.name) ?? new Set<string>();
      sets.add(eventSetKey(eventsOf(entry.abi)));
      setsByName.set(entry.name, sets);
    }
  }
  return (name, chainId) => ((setsByName.get(name)?.size ?? 1) === 1 ? name : `${name}_${chainId}`);
}

function eventTypeSpecs(abi: readonly unknown[], typeBase: string): EventTypeSpec[] {
  const seen = new Map<string, number>();
  return eventsOf(abi).map((event): EventTypeSpec => {
    const count = (seen.get(event.name) ?? 0) + 1;
    seen.set(event.name, count);
    const typeName = `${typeBase}_${pascal(event.name)}${count > 1 ? `_${count}` : ''}`;
    return {
      typeName,
      argsTypeName: event.inputs.length > 0 ? `${typeName}Args` : undefined,
      eventName: event.name,
      signature: toEventSignature(event),
      fields: argFields(event.inputs, typeName),
    };
  });
}

/**
 * Describes the GraphQL types of every configured contract's events. Type names are
 * `<Contract>_<Event>` (overloads get `_2`, `_3`…), args objects `<Contract>_<Event>Args`, tuples
 * `<Contract>_<Event>_<Param>`. A contract name reused on several chains shares its types when the
 * ABIs declare the same events, else each gets a `_<chainId>` suffix.
 */
export function describeContracts(config: ResolvedConfig): ContractSpec[] {
  const typeBaseOf = typeBases(config);
  return config.chains.flatMap((chain) =>
    chain.contracts.map((contract): ContractSpec => {
      const typeBase = typeBaseOf(contract.name, chain.chainId);
      return {
        chainId: chain.chainId,
        address: contract.address.toLowerCase() as `0x${string}`,
        name: contract.name,
        abiKind: contract.abiKind,
        typeBase,
        events: eventTypeSpecs(contract.abi, typeBase),
      };
    }),
  );
}

/**
 * Describes the event types of every factory template, named like a contract's (`<Template>_<Event>`,
 * with the same sharing across chains): the events of every contract the factory creates take them.
 */
export function describeTemplates(config: ResolvedConfig): TemplateSpec[] {
  const typeBaseOf = typeBases(config);
  return config.chains.flatMap((chain) =>
    chain.templates.map((template): TemplateSpec => {
      const typeBase = typeBaseOf(template.name, chain.chainId);
      const { contract, address, projection } = template.factory;
      return {
        chainId: chain.chainId,
        name: template.name,
        abiKind: template.abiKind,
        typeBase,
        events: eventTypeSpecs(template.abi, typeBase),
        factory: { contract, address: address.toLowerCase() as `0x${string}`, projection },
      };
    }),
  );
}
