import { decodeOpaqueToken, encodeOpaqueToken } from '../stream/opaqueToken.ts';

/** Where a list page ended: the order it was read in and the last entity's sort value and key. */
export type EntityListPosition = {
  orderBy: string;
  order: 'ASC' | 'DESC';
  /** The last entity's value of `orderBy` (undefined: it had none). */
  value: string | undefined;
  /** The last entity's key string. */
  key: string;
};

const prefix = 'el1.';

/** Encodes a list position as the opaque `endCursor` of a page (`el1.<base64url JSON>`). */
export function encodeEntityListCursor(position: EntityListPosition): string {
  const { orderBy, order, value, key } = position;
  return encodeOpaqueToken(prefix, [orderBy, order, value ?? null, key]);
}

/** Decodes an `endCursor`; undefined when it is not one (never throws). */
export function decodeEntityListCursor(cursor: string): EntityListPosition | undefined {
  const parsed = decodeOpaqueToken(prefix, cursor);
  if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
  const [orderBy, order, value, key] = parsed as unknown[];
  if (typeof orderBy !== 'string' || (order !== 'ASC' && order !== 'DESC') || typeof key !== 'string')
    return undefined;
  if (value !== null && typeof value !== 'string') return undefined;
  return { orderBy, order, value: value ?? undefined, key };
}
