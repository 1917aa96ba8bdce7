import { isHex } from 'viem';
import { isAddress } from '../../domain/evm.ts';
import { type ChainEvent, entityKeyString, type JsonValue } from '../../domain/index.ts';
import type { ProjectionFieldType, ProjectionValue, ResolvedProjection } from '../../shared/config/index.ts';

/** What one event does to one entity of one projection, with every value in its stored form. */
export type EntityOp = {
  projection: string;
  /** The entity key string (`entityKeyString` of the key values). */
  key: string;
  /** Key field → value, written on every change so the entity shows its key. */
  keyFields: [string, string][];
  set: [string, string][];
  /** Field → signed decimal delta (`sub` already negated). */
  add: [string, string][];
  delete: boolean;
};

/** The entity changes of an event, or why its args cannot give them. */
export type EntityOpsResult = { ok: true; value: EntityOp[] } | { ok: false; reason: string };

const int256Limit = 1n << 256n;

function shown(value: JsonValue | undefined): string {
  return value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 80);
}

/** The stored (canonical) form of a value of `type`, or undefined when it does not have that type. */
function canonical(value: JsonValue | undefined, type: ProjectionFieldType): string | undefined {
  switch (type) {
    case 'BigInt': {
      const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
      if (typeof text !== 'string' || !/^-?\d{1,78}$/.test(text)) return undefined;
      const parsed = BigInt(text);
      return parsed >= int256Limit || parsed < -int256Limit ? undefined : parsed.toString();
    }
    case 'Address':
      return typeof value === 'string' && isAddress(value, { strict: false })
        ? value.toLowerCase()
        : undefined;
    case 'Hex':
      return typeof value === 'string' && isHex(value) ? value.toLowerCase() : undefined;
    case 'Boolean':
      return typeof value === 'boolean' ? String(value) : undefined;
    case 'String':
      return typeof value === 'string' ? value : undefined;
  }
}

function argAt(args: Record<string, JsonValue>, path: string[]): JsonValue | undefined {
  let current: JsonValue | undefined = args;
  for (const part of path) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, JsonValue>)[part];
  }
  return current;
}

/** Resolves one value from the event; `{ error }` names the reference when the event lacks it. */
function resolveFrom(event: ChainEvent, value: ProjectionValue): string | { error: string } {
  const { source, type } = value;
  let raw: JsonValue | undefined;
  let name: string;
  switch (source.kind) {
    case 'literal':
      return source.value;
    case 'arg':
      name = `args.${source.path.join('.')}`;
      raw = argAt(event.args, source.path);
      break;
    case 'block.number':
      name = source.kind;
      raw = String(event.blockNumber);
      break;
    case 'block.timestamp':
      name = source.kind;
      raw = String(event.blockTimestamp);
      break;
    case 'log.index':
      name = source.kind;
      raw = String(event.logIndex);
      break;
    case 'block.hash':
      name = source.kind;
      raw = event.blockHash;
      break;
    case 'tx.hash':
      name = source.kind;
      raw = event.transactionHash;
      break;
    case 'log.address':
      name = source.kind;
      raw = event.address;
      break;
    case 'event.id':
      name = source.kind;
      raw = event.id;
      break;
  }
  const stored = canonical(raw, type);
  return stored === undefined ? { error: `${name} must be a ${type}. Got ${shown(raw)}.` } : stored;
}

/**
 * The entity changes an event makes under its contract's projections (one per projection that
 * handles the event), in projection order. A REMOVED event carries the args of the event it names,
 * so it yields the same changes, which the apply script reverses instead of applying.
 */
export function entityOpsOf(event: ChainEvent, projections: readonly ResolvedProjection[]): EntityOpsResult {
  if (!event.decoded || !event.eventName || projections.length === 0) return { ok: true, value: [] };
  const ops: EntityOp[] = [];
  for (const projection of projections) {
    const handler = projection.handlers.get(event.eventName);
    if (!handler) continue;
    const fail = (error: string): EntityOpsResult => ({
      ok: false,
      reason: `Projection ${projection.name}: ${error}`,
    });
    const keyValues: string[] = [];
    for (const part of handler.key) {
      const value = resolveFrom(event, part);
      if (typeof value !== 'string') return fail(`key ${value.error}`);
      keyValues.push(value);
    }
    const op: EntityOp = {
      projection: projection.name,
      key: entityKeyString(keyValues),
      keyFields: projection.keyFields.map((field, index) => [field.name, keyValues[index]!]),
      set: [],
      add: [],
      delete: handler.delete,
    };
    for (const { field, value } of handler.set) {
      const stored = resolveFrom(event, value);
      if (typeof stored !== 'string') return fail(`set.${field}: ${stored.error}`);
      op.set.push([field, stored]);
    }
    for (const { field, value, negate } of handler.add) {
      const stored = resolveFrom(event, value);
      if (typeof stored !== 'string') return fail(`${negate ? 'sub' : 'add'}.${field}: ${stored.error}`);
      const delta = negate ? (-BigInt(stored)).toString() : stored;
      op.add.push([field, delta]);
    }
    ops.push(op);
  }
  return { ok: true, value: ops };
}
