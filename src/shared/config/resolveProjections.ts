import type { Abi, AbiEvent, AbiParameter } from 'viem';
import { ConfigError } from '../errors/index.ts';
import type { ProjectionConfig } from './projectionSchema.ts';

/** GraphQL type of a projection field. */
export type ProjectionFieldType = 'BigInt' | 'Address' | 'Boolean' | 'Hex' | 'String';

/** Where a projection value comes from. Literals are kept in their stored (canonical) form. */
export type ProjectionSource =
  | { kind: 'arg'; path: string[] }
  | {
      kind:
        | 'block.number'
        | 'block.timestamp'
        | 'block.hash'
        | 'tx.hash'
        | 'log.address'
        | 'log.index'
        | 'event.id';
    }
  | { kind: 'literal'; value: string };

/** A value of a handler, with the type it has. */
export type ProjectionValue = { source: ProjectionSource; type: ProjectionFieldType };

/** What one event does to its entity. */
export type ResolvedProjectionHandler = {
  event: string;
  /** The key's values in this event, in the order of `keyFields`. */
  key: ProjectionValue[];
  set: { field: string; value: ProjectionValue }[];
  /** `add` and `sub` (negate) on integer fields. */
  add: { field: string; value: ProjectionValue; negate: boolean }[];
  delete: boolean;
};

/** A projection with its types settled from the ABI. */
export type ResolvedProjection = {
  name: string;
  /** The fields making the key, in order. */
  keyFields: { name: string; type: ProjectionFieldType }[];
  /** Every other field any handler writes. `additive`: written by `add`/`sub` (reads as 0 when unset). */
  fields: { name: string; type: ProjectionFieldType; additive: boolean }[];
  /** By event name. */
  handlers: Map<string, ResolvedProjectionHandler>;
};

/** GraphQL fields every entity has; a projection field may not take these names. */
export const reservedEntityFields = ['cursor', 'updatedAtBlock', 'deleted'] as const;

const contextSources: Record<
  string,
  { kind: Exclude<ProjectionSource['kind'], 'arg' | 'literal'>; type: ProjectionFieldType; name: string }
> = {
  'block.number': { kind: 'block.number', type: 'BigInt', name: 'blockNumber' },
  'block.timestamp': { kind: 'block.timestamp', type: 'BigInt', name: 'blockTimestamp' },
  'block.hash': { kind: 'block.hash', type: 'Hex', name: 'blockHash' },
  'tx.hash': { kind: 'tx.hash', type: 'Hex', name: 'txHash' },
  'log.address': { kind: 'log.address', type: 'Address', name: 'logAddress' },
  'log.index': { kind: 'log.index', type: 'BigInt', name: 'logIndex' },
  'event.id': { kind: 'event.id', type: 'String', name: 'eventId' },
};

const referencePrefixes = ['args.', 'block.', 'tx.', 'log.', 'event.'];

function fail(field: string, message: string): never {
  throw new ConfigError(`Validation failed: ${field} ${message}`);
}

function abiTypeOf(parameter: AbiParameter): ProjectionFieldType | undefined {
  const type = parameter.type;
  if (/^u?int\d*$/.test(type)) return 'BigInt';
  if (type === 'address') return 'Address';
  if (type === 'bool') return 'Boolean';
  if (/^bytes\d*$/.test(type)) return 'Hex';
  if (type === 'string') return 'String';
  return undefined;
}

/** The ABI parameter at `path` among an event's inputs, or a sentence saying why there is none. */
function findArg(event: AbiEvent, path: string[]): AbiParameter | string {
  let params: readonly AbiParameter[] = event.inputs;
  let found: AbiParameter | undefined;
  for (const [depth, part] of path.entries()) {
    found = params.find((param) => param.name === part);
    if (!found) {
      const names = params.map((param) => param.name).filter(Boolean);
      const where = depth === 0 ? `event ${event.name}` : `args.${path.slice(0, depth).join('.')}`;
      return `${where} has no argument ${part} (it has ${names.join(', ') || 'no named arguments'})`;
    }
    if (depth < path.length - 1) {
      if (found.type !== 'tuple' || !('components' in found))
        return `args.${path.slice(0, depth + 1).join('.')} is a ${found.type}, not a tuple`;
      params = found.components;
    }
  }
  return found!;
}

/** Resolves one value of a handler (`field` names it in messages). */
function resolveValue(raw: string | number | boolean, event: AbiEvent, field: string): ProjectionValue {
  if (typeof raw === 'boolean') return { source: { kind: 'literal', value: String(raw) }, type: 'Boolean' };
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw))
      fail(field, `must be an integer literal (write larger or fractional numbers as strings). Got ${raw}.`);
    return { source: { kind: 'literal', value: String(raw) }, type: 'BigInt' };
  }
  if (raw.startsWith('args.')) {
    const path = raw.slice('args.'.length).split('.');
    const arg = findArg(event, path);
    if (typeof arg === 'string') fail(field, `refers to a missing argument: ${arg}. Got ${raw}.`);
    const type = abiTypeOf(arg);
    if (!type)
      fail(
        field,
        `must refer to a value of type uint/int, address, bool, bytes or string; args.${path.join('.')} of ${event.name} is a ${arg.type}. Got ${raw}.`,
      );
    return { source: { kind: 'arg', path }, type };
  }
  const context = contextSources[raw];
  if (context) return { source: { kind: context.kind }, type: context.type };
  if (referencePrefixes.some((prefix) => raw.startsWith(prefix)))
    fail(
      field,
      `is not a known reference (args.<name>, ${Object.keys(contextSources).join(', ')}). Got ${raw}.`,
    );
  return { source: { kind: 'literal', value: raw }, type: 'String' };
}

/** Name of the key field a key reference makes. */
function keyFieldName(reference: string): string {
  if (reference.startsWith('args.')) return reference.split('.').pop()!;
  return contextSources[reference]?.name ?? reference;
}

function findEvent(abi: Abi, name: string, field: string): AbiEvent {
  const events = abi.filter((item): item is AbiEvent => item.type === 'event');
  const event = events.find((item) => item.name === name);
  if (!event) {
    const names = [...new Set(events.map((item) => item.name))];
    fail(field, `names an event the ABI does not have: ${name} (it has ${names.join(', ') || 'no events'}).`);
  }
  return event;
}

/**
 * Checks the projections of one contract against its ABI and settles every field's type. Throws
 * {@link ConfigError} naming the field (`base` is the contract's path, e.g. `chains[0].contracts[1]`).
 */
export function resolveProjections(
  projections: ProjectionConfig[],
  abi: Abi,
  base: string,
): ResolvedProjection[] {
  const names = new Set<string>();
  return projections.map((projection, index) => {
    const at = `${base}.projections[${index}]`;
    if (names.has(projection.name))
      fail(`${at}.name`, `must be unique per contract. Got ${projection.name} twice.`);
    names.add(projection.name);
    const keyReferences = typeof projection.key === 'string' ? [projection.key] : projection.key;
    const keyFields: ResolvedProjection['keyFields'] = [];
    const fieldTypes = new Map<string, { type: ProjectionFieldType; additive: boolean; where: string }>();
    const handlers = new Map<string, ResolvedProjectionHandler>();
    for (const [eventName, handler] of Object.entries(projection.on)) {
      const on = `${at}.on.${eventName}`;
      const event = findEvent(abi, eventName, on);
      const key = keyReferences.map((reference, part) => {
        const keyAt = typeof projection.key === 'string' ? `${at}.key` : `${at}.key[${part}]`;
        if (!referencePrefixes.some((prefix) => reference.startsWith(prefix)))
          fail(
            keyAt,
            `must be an event reference (args.<name>, block.number, tx.hash, …), not a literal. Got ${reference}.`,
          );
        let value: ProjectionValue;
        try {
          value = resolveValue(reference, event, keyAt);
        } catch (error) {
          if (!reference.startsWith('args.')) throw error;
          fail(keyAt, `must be an argument of every event in on; ${eventName} has no ${reference}.`);
        }
        const name = keyFieldName(reference);
        const known = keyFields[part];
        if (!known) keyFields[part] = { name, type: value.type };
        else if (known.type !== value.type)
          fail(
            keyAt,
            `must have one type in every event: ${reference} is ${known.type} in one event and ${value.type} in ${eventName}.`,
          );
        return value;
      });
      const hasWrites = handler.set || handler.add || handler.sub;
      if (handler.delete && hasWrites)
        fail(`${on}.delete`, 'cannot be combined with set, add or sub in the same event.');
      if (!handler.delete && !hasWrites) fail(on, 'must have set, add, sub or delete: true.');
      const resolved: ResolvedProjectionHandler = {
        event: eventName,
        key,
        set: [],
        add: [],
        delete: handler.delete === true,
      };
      const written = new Set<string>();
      const record = (field: string, value: ProjectionValue, additive: boolean, where: string) => {
        if (keyFields.some((keyField) => keyField.name === field))
          fail(where, `writes the key field ${field}; the key is set from \`key\` only.`);
        if ((reservedEntityFields as readonly string[]).includes(field))
          fail(where, `uses a reserved field name (${reservedEntityFields.join(', ')} are on every entity).`);
        if (written.has(field))
          fail(where, `is written twice by ${eventName} (in more than one of set, add and sub).`);
        written.add(field);
        const known = fieldTypes.get(field);
        if (known && known.type !== value.type)
          fail(
            where,
            `gives field ${field} the type ${value.type}, but ${known.where} gives it ${known.type}: a field has one type.`,
          );
        fieldTypes.set(field, {
          type: value.type,
          additive: additive || (known?.additive ?? false),
          where: known?.where ?? where,
        });
      };
      for (const [field, raw] of Object.entries(handler.set ?? {})) {
        const where = `${on}.set.${field}`;
        const value = resolveValue(raw, event, where);
        record(field, value, false, where);
        resolved.set.push({ field, value });
      }
      for (const operation of ['add', 'sub'] as const) {
        for (const [field, raw] of Object.entries(handler[operation] ?? {})) {
          const where = `${on}.${operation}.${field}`;
          const value = resolveValue(raw, event, where);
          if (value.type !== 'BigInt')
            fail(
              where,
              `must be an integer (uint/int argument, block number or integer literal) to ${operation}; it is ${value.type}. Got ${String(raw)}.`,
            );
          record(field, value, true, where);
          resolved.add.push({ field, value, negate: operation === 'sub' });
        }
      }
      handlers.set(eventName, resolved);
    }
    const keyNames = new Set<string>();
    keyFields.forEach((keyField, part) => {
      if (keyNames.has(keyField.name))
        fail(
          `${at}.key[${part}]`,
          `makes a second key field named ${keyField.name}; key parts must end in different names.`,
        );
      keyNames.add(keyField.name);
      if ((reservedEntityFields as readonly string[]).includes(keyField.name))
        fail(`${at}.key`, `makes a key field named ${keyField.name}, which is reserved.`);
    });
    return {
      name: projection.name,
      keyFields,
      fields: [...fieldTypes].map(([name, { type, additive }]) => ({ name, type, additive })),
      handlers,
    };
  });
}
