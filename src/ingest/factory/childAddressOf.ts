import { isAddress } from 'viem';
import type { ChainEvent, JsonValue } from '../../domain/index.ts';

/** The child address of a creation event, or why there is none. */
export type ChildAddressResult = { ok: true; value: `0x${string}` } | { ok: false; reason: string };

/**
 * The address of the contract a factory's creation event names at `path`: `args.<name>`, or a
 * dotted path into a tuple argument (`args.pool.addr`). Lower-case.
 */
export function childAddressOf(event: ChainEvent, path: string): ChildAddressResult {
  const [root, ...names] = path.split('.');
  if (root !== 'args' || names.length === 0) {
    return { ok: false, reason: `address path must start with args. (e.g. args.pair), got ${path}` };
  }
  if (!event.decoded) return { ok: false, reason: `event ${event.id} did not decode with the factory's ABI` };
  let value: JsonValue | undefined = event.args;
  for (const name of names) {
    value =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, JsonValue>)[name]
        : undefined;
  }
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    return {
      ok: false,
      reason: `${path} of ${event.eventName ?? 'the event'} ${event.id} is not an address (got ${JSON.stringify(value ?? null)})`,
    };
  }
  return { ok: true, value: value.toLowerCase() as `0x${string}` };
}
