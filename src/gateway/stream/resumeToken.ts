import { parseCursor } from '../../domain/index.ts';
import { decodeOpaqueToken, encodeOpaqueToken } from './opaqueToken.ts';

/** Last journal position per contract, keyed `<chainId>:<address lower-case>`. */
export type PositionMap = Readonly<Record<string, string>>;

/** A parsed `after` argument. */
export type StreamPosition = { kind: 'cursor'; cursor: string } | { kind: 'token'; positions: PositionMap };

const prefix = 'rt1.';

/**
 * Encodes per-contract positions as an opaque, URL-safe resume token (`rt1.<base64url JSON>`).
 * A plain cursor is ambiguous across contracts (partitions are applied in parallel, so contracts
 * interleave differently live and in the journals); the token carries one position per contract.
 */
export function encodeResumeToken(positions: PositionMap): string {
  const entries = Object.entries(positions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return encodeOpaqueToken(prefix, entries);
}

/** Decodes a resume token; undefined when it is not one (never throws). */
export function decodeResumeToken(token: string): PositionMap | undefined {
  const parsed = decodeOpaqueToken(prefix, token);
  if (!Array.isArray(parsed)) return undefined;
  const positions: Record<string, string> = {};
  for (const entry of parsed) {
    if (!Array.isArray(entry) || entry.length !== 2) return undefined;
    const [key, cursor] = entry as unknown[];
    if (typeof key !== 'string' || !/^\d+:0x[0-9a-f]{40}$/.test(key)) return undefined;
    if (typeof cursor !== 'string' || !parseCursor(cursor)) return undefined;
    positions[key] = cursor;
  }
  return positions;
}
