import type { Abi, AbiEvent, AbiParameter } from 'viem';
import { toEventSignature } from '../../domain/evm.ts';
import { ConfigError } from '../errors/index.ts';
import type { ProjectionConfig, ProjectionHandlerConfig } from './projectionSchema.ts';

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

/** The ABI parameter at `path` among an event's inputs, or why there is none. */
function findArg(
  event: AbiEvent,
  path: string[],
): { found: AbiParameter } | { missing: string } | { notTuple: string } {
  let params: readonly AbiParameter[] = event.inputs;
  let found: AbiParameter | undefined;
  for (const [depth, part] of path.entries()) {
    found = params.find((param) => param.name === part);
    if (!found) {
      const names = params.map((param) => param.name).filter(Boolean);
      const where = depth === 0 ? `event ${event.name}` : `args.${path.slice(0, depth).join('.')}`;
      return {
        missing: `${where} has no argument ${part || '(empty name)'} (it has ${names.join(', ') || 'no named arguments'})`,
      };
    }
    if (depth < path.length - 1 && (found.type !== 'tuple' || !('components' in found)))
      return {
        notTuple: `args.${path.slice(0, depth + 1).join('.')} of ${event.name} is a ${found.type}, not a tuple (struct), so there is nothing to reach with a dot after it`,
      };
    if (depth < path.length - 1 && 'components' in found) params = found.components;
  }
  return { found: found! };
}

/** Resolves one value of a handler (`field` names it in messages). */
function resolveValue(raw: string | number | boolean, event: AbiEvent, field: string): ProjectionValue {
  if (typeof raw === 'boolean') return { source: { kind: 'literal', value: String(raw) }, type: 'Boolean' };
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw))
      fail(
        field,
        `must be an integer between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} when written as a number (a number is a BigInt value; quote it to store it as a String). Got ${raw}.`,
      );
    return { source: { kind: 'literal', value: String(raw) }, type: 'BigInt' };
  }
  if (raw.startsWith('args.')) {
    const path = raw.slice('args.'.length).split('.');
    const arg = findArg(event, path);
    if ('missing' in arg) fail(field, `refers to a missing argument: ${arg.missing}. Got ${raw}.`);
    if ('notTuple' in arg) fail(field, `refers to a missing argument: ${arg.notTuple}. Got ${raw}.`);
    const type = abiTypeOf(arg.found);
    if (!type)
      fail(
        field,
        `must refer to a single value (uint/int, address, bool, bytes or string); args.${path.join('.')} of ${event.name} is a ${arg.found.type}${arg.found.type === 'tuple' ? ' (name one of its fields with a dot)' : ''}. Got ${raw}.`,
      );
    return { source: { kind: 'arg', path }, type };
  }
  // Own properties only: a literal such as `constructor` must not find Object.prototype's.
  const context = Object.hasOwn(contextSources, raw) ? contextSources[raw] : undefined;
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
  return Object.hasOwn(contextSources, reference) ? contextSources[reference]!.name : reference;
}

/** The one event of the ABI named `name` (`field` names it in messages). */
function findEvent(abi: Abi, name: string, field: string): AbiEvent {
  const events = abi.filter((item): item is AbiEvent => item.type === 'event');
  const matches = events.filter((item) => item.name === name);
  if (matches.length === 0) {
    const names = [...new Set(events.map((item) => item.name))];
    fail(field, `names an event the ABI does not have: ${name} (it has ${names.join(', ') || 'no events'}).`);
  }
  if (matches.length > 1)
    fail(
      field,
      `names an overloaded event: the ABI has ${matches.map((item) => toEventSignature(item)).join(' and ')}; a projection can only follow an event name with one signature.`,
    );
  return matches[0]!;
}

/** A GraphQL name a key field can take (`__` is reserved by GraphQL itself). */
const graphqlName = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Field names of a projection (the `_` prefix is kept for the entity hash's own fields). */
const projectionFieldName = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Why a key field may not take a name (besides {@link reservedEntityFields}). */
const takenKeyNames: Record<string, string> = {
  cursor: 'a field of every entity and update',
  updatedAtBlock: 'a field of every entity',
  deleted: 'a field of every update',
  entity: 'a field of every update',
  chainId: "an argument of the entity's query and subscription",
  after: "an argument of the entity's subscription",
};
/** Names GraphQL refuses as enum values, which every field becomes in `<Contract>_<Projection>OrderField`. */
const notEnumValues = ['true', 'false', 'null'];

type KeyParameters = {
  keyReferences: string[];
  /** Written as a list (messages then name `key[i]`). */
  composite: boolean;
  event: AbiEvent;
  at: string;
  /** Filled by the first event, checked against by the others. */
  keyFields: ResolvedProjection['keyFields'];
};

/** The key's values in one event; every event must have every part, with one type. */
function resolveKey({ keyReferences, composite, event, at, keyFields }: KeyParameters): ProjectionValue[] {
  return keyReferences.map((reference, part) => {
    const keyAt = composite ? `${at}.key[${part}]` : `${at}.key`;
    if (!referencePrefixes.some((prefix) => reference.startsWith(prefix)))
      fail(
        keyAt,
        `must be an event reference (args.<name>, ${Object.keys(contextSources).join(', ')}), not a literal: a literal would put every event in one entity. Got ${reference}.`,
      );
    if (reference.startsWith('args.')) {
      const arg = findArg(event, reference.slice('args.'.length).split('.'));
      if ('missing' in arg)
        fail(keyAt, `must be an argument of every event in on: ${arg.missing}. Got ${reference}.`);
    }
    const value = resolveValue(reference, event, keyAt);
    const name = keyFieldName(reference);
    const known = keyFields[part];
    if (!known) keyFields[part] = { name, type: value.type };
    else if (known.type !== value.type)
      fail(
        keyAt,
        `must have one type in every event: ${reference} is ${known.type} in an earlier event of on and ${value.type} in ${event.name}.`,
      );
    return value;
  });
}

/** Key fields get distinct names that GraphQL accepts next to the entity's own fields. */
function checkKeyFields(
  keyFields: ResolvedProjection['keyFields'],
  keyReferences: string[],
  at: string,
): void {
  const seen = new Set<string>();
  keyFields.forEach((keyField, part) => {
    const keyAt = keyReferences.length > 1 ? `${at}.key[${part}]` : `${at}.key`;
    const reference = keyReferences[part];
    if (seen.has(keyField.name))
      fail(
        keyAt,
        `makes a second key field named ${keyField.name}; key parts must end in different names. Got ${reference}.`,
      );
    seen.add(keyField.name);
    const taken = Object.hasOwn(takenKeyNames, keyField.name) ? takenKeyNames[keyField.name] : undefined;
    if (taken)
      fail(
        keyAt,
        `makes a key field named ${keyField.name}, which is taken: ${keyField.name} is ${taken}. Key fields are named after the last part of the reference. Got ${reference}.`,
      );
    if (notEnumValues.includes(keyField.name))
      fail(
        keyAt,
        `makes a key field named ${keyField.name}, which GraphQL cannot order by (true, false and null are not enum values). Got ${reference}.`,
      );
    if (!graphqlName.test(keyField.name) || keyField.name.startsWith('__'))
      fail(
        keyAt,
        `makes a key field named ${keyField.name}, which is not a GraphQL name (letters, digits and _, not starting with a digit or __). Got ${reference}.`,
      );
  });
}

type FieldRecord = { type: ProjectionFieldType; additive: boolean; where: string };

type HandlerParameters = {
  handler: ProjectionHandlerConfig;
  event: AbiEvent;
  key: ProjectionValue[];
  on: string;
  keyFields: ResolvedProjection['keyFields'];
  /** Every field written so far in the projection, with its settled type. */
  fieldTypes: Map<string, FieldRecord>;
};

/** One event's handler: its writes checked, typed and recorded in `fieldTypes`. */
function resolveHandler({
  handler,
  event,
  key,
  on,
  keyFields,
  fieldTypes,
}: HandlerParameters): ResolvedProjectionHandler {
  const hasWrites = handler.set || handler.add || handler.sub;
  if (handler.delete && hasWrites)
    fail(
      `${on}.delete`,
      `cannot be combined with set, add or sub in the same event: delete removes the entity, so the writes would be lost. Got set/add/sub next to delete: true.`,
    );
  if (!handler.delete && !hasWrites)
    fail(on, 'must have set, add or sub (field → value) or delete: true. Got an empty handler.');
  const resolved: ResolvedProjectionHandler = {
    event: event.name,
    key,
    set: [],
    add: [],
    delete: handler.delete === true,
  };
  const writtenBy = new Map<string, string>();
  const record = (field: string, value: ProjectionValue, operation: 'set' | 'add' | 'sub') => {
    const where = `${on}.${operation}.${field}`;
    if (!projectionFieldName.test(field))
      fail(
        where,
        `is not a valid field name: it must start with a letter and contain only letters, digits and _. Got ${field}.`,
      );
    if (keyFields.some((keyField) => keyField.name === field))
      fail(where, `writes the key field ${field}; key fields get their values from \`key\` only.`);
    if ((reservedEntityFields as readonly string[]).includes(field))
      fail(
        where,
        `uses a reserved field name (${reservedEntityFields.join(', ')} are on every entity). Got ${field}.`,
      );
    if (notEnumValues.includes(field))
      fail(
        where,
        `is a field name GraphQL cannot order by (true, false and null are not enum values). Got ${field}.`,
      );
    const earlier = writtenBy.get(field);
    if (earlier)
      fail(
        where,
        `is also written by ${earlier} of ${event.name}; an event writes a field once (with one of set, add and sub).`,
      );
    writtenBy.set(field, operation);
    const known = fieldTypes.get(field);
    if (known && known.type !== value.type)
      fail(
        where,
        `gives field ${field} the type ${value.type}, but ${known.where} gives it ${known.type}: a field has one type in every event.`,
      );
    fieldTypes.set(field, {
      type: value.type,
      additive: operation !== 'set' || (known?.additive ?? false),
      where: known?.where ?? where,
    });
  };
  for (const [field, raw] of Object.entries(handler.set ?? {})) {
    const value = resolveValue(raw, event, `${on}.set.${field}`);
    record(field, value, 'set');
    resolved.set.push({ field, value });
  }
  for (const operation of ['add', 'sub'] as const) {
    for (const [field, raw] of Object.entries(handler[operation] ?? {})) {
      const where = `${on}.${operation}.${field}`;
      const value = resolveValue(raw, event, where);
      if (value.type !== 'BigInt')
        fail(
          where,
          `must be an integer to ${operation} (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); ${String(raw)} is ${value.source.kind === 'literal' ? `a ${value.type} literal` : `of type ${value.type}`}. Got ${String(raw)}.`,
        );
      const fieldType = fieldTypes.get(field);
      if (fieldType && fieldType.type !== 'BigInt')
        fail(
          where,
          `${operation === 'add' ? 'adds to' : 'subtracts from'} field ${field}, which ${fieldType.where} makes ${fieldType.type === 'Address' ? 'an' : 'a'} ${fieldType.type}; add and sub work on BigInt fields only. Got ${String(raw)}.`,
        );
      record(field, value, operation);
      resolved.add.push({ field, value, negate: operation === 'sub' });
    }
  }
  return resolved;
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
    const composite = typeof projection.key !== 'string';
    const keyReferences = typeof projection.key === 'string' ? [projection.key] : projection.key;
    const keyFields: ResolvedProjection['keyFields'] = [];
    const fieldTypes = new Map<string, FieldRecord>();
    const handlers = new Map<string, ResolvedProjectionHandler>();
    for (const [eventName, handler] of Object.entries(projection.on)) {
      const on = `${at}.on.${eventName}`;
      const event = findEvent(abi, eventName, on);
      const key = resolveKey({ keyReferences, composite, event, at, keyFields });
      handlers.set(eventName, resolveHandler({ handler, event, key, on, keyFields, fieldTypes }));
    }
    checkKeyFields(keyFields, keyReferences, at);
    return {
      name: projection.name,
      keyFields,
      fields: [...fieldTypes].map(([name, { type, additive }]) => ({ name, type, additive })),
      handlers,
    };
  });
}
