import { isAddress } from '../../domain/evm.ts';
import type { ChainEvent, JsonValue } from '../../domain/index.ts';
import type { AbiKind } from '../../shared/config/index.ts';

/** How the apply script projects an event; `payload` is what it stores to reverse it on REMOVED. */
export type Projection =
  | { kind: 'none'; payload: [] }
  | { kind: 'erc20' | 'erc721'; payload: [from: string, to: string, amountOrTokenId: string] }
  | { kind: 'erc1155'; payload: string[] };

/** Result of {@link projectionOf}: the projection, or why the event's args cannot be projected. */
export type ProjectionResult = { ok: true; value: Projection } | { ok: false; reason: string };

const uint256Max = (1n << 256n) - 1n;
const none: ProjectionResult = { ok: true, value: { kind: 'none', payload: [] } };

function address(args: Record<string, JsonValue>, name: string): string {
  const value = args[name];
  return typeof value === 'string' && isAddress(value, { strict: false }) ? value.toLowerCase() : '';
}

/** Canonical decimals of at most 77 digits: below 10^77, so below 2^256, and already canonical. */
const canonicalUint = /^(?:0|[1-9]\d{0,76})$/;

function uint(value: JsonValue | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (canonicalUint.test(value)) return value;
  if (!/^\d{1,78}$/.test(value)) return undefined;
  const parsed = BigInt(value);
  return parsed > uint256Max ? undefined : parsed.toString();
}

function fail(field: string, expected: string, got: JsonValue | undefined): ProjectionResult {
  const shown = got === undefined ? 'nothing' : JSON.stringify(got).slice(0, 80);
  return { ok: false, reason: `args.${field} must be ${expected}. Got ${shown}.` };
}

/**
 * Decides how an event changes the token projections of its contract. Only decoded transfer events
 * of standard-ABI contracts are projected; everything else only counts and is journaled.
 */
export function projectionOf(event: ChainEvent, abiKind: AbiKind | undefined): ProjectionResult {
  if (!event.decoded || !abiKind || abiKind === 'custom') return none;
  const { args, eventName } = event;
  const isTransfer = eventName === 'Transfer' && (abiKind === 'erc20' || abiKind === 'erc721');
  const isSingle = eventName === 'TransferSingle' && abiKind === 'erc1155';
  const isBatch = eventName === 'TransferBatch' && abiKind === 'erc1155';
  if (!isTransfer && !isSingle && !isBatch) return none;
  const from = address(args, 'from');
  if (!from) return fail('from', 'a 20-byte hex address', args.from);
  const to = address(args, 'to');
  if (!to) return fail('to', 'a 20-byte hex address', args.to);
  if (isTransfer) {
    const field = abiKind === 'erc20' ? 'value' : 'tokenId';
    const amount = uint(args[field]);
    if (amount === undefined) return fail(field, 'a uint256 decimal string', args[field]);
    return { ok: true, value: { kind: abiKind, payload: [from, to, amount] } };
  }
  if (isSingle) {
    const id = uint(args.id);
    if (id === undefined) return fail('id', 'a uint256 decimal string', args.id);
    const value = uint(args.value);
    if (value === undefined) return fail('value', 'a uint256 decimal string', args.value);
    return { ok: true, value: { kind: 'erc1155', payload: [from, to, id, value] } };
  }
  const { ids, values } = args;
  if (!Array.isArray(ids)) return fail('ids', 'an array of uint256 decimal strings', ids);
  if (!Array.isArray(values) || values.length !== ids.length)
    return fail('values', `an array of ${ids.length} uint256 decimal strings (one per id)`, values);
  const payload = [from, to];
  for (let i = 0; i < ids.length; i++) {
    const id = uint(ids[i]);
    if (id === undefined) return fail(`ids[${i}]`, 'a uint256 decimal string', ids[i]);
    const value = uint(values[i]);
    if (value === undefined) return fail(`values[${i}]`, 'a uint256 decimal string', values[i]);
    payload.push(id, value);
  }
  return { ok: true, value: { kind: 'erc1155', payload } };
}
