/** A position in a contract's journal: `<major>-<minor>`, the Redis stream entry id form. */
export type Cursor = string;

/** Decoded cursor. Normally `major` is the block number and `minor` the log index. */
export type CursorParts = { major: bigint; minor: bigint };

const cursorPattern = /^(\d{1,20})-(\d{1,20})$/;

/**
 * Encodes a chain position as a cursor. The journal entry id of a confirmed event is its chain
 * position unless a deep reorg forced a later position (journals only move forward).
 */
export function encodeCursor(blockNumber: number | bigint, logIndex: number | bigint): Cursor {
  return `${BigInt(blockNumber)}-${BigInt(logIndex)}`;
}

/** Parses a cursor, or returns undefined when it is not `<digits>-<digits>`. */
export function parseCursor(cursor: string): CursorParts | undefined {
  const match = cursorPattern.exec(cursor);
  if (!match) return undefined;
  return { major: BigInt(match[1]!), minor: BigInt(match[2]!) };
}

/** Orders two parsed cursors numerically: major (block), then minor (log index). */
export function compareCursorParts(a: CursorParts, b: CursorParts): number {
  if (a.major !== b.major) return a.major < b.major ? -1 : 1;
  if (a.minor !== b.minor) return a.minor < b.minor ? -1 : 1;
  return 0;
}

/** Orders two cursors numerically (cursors do not sort as plain strings). */
export function compareCursors(a: Cursor, b: Cursor): number {
  const left = parseCursor(a);
  const right = parseCursor(b);
  if (!left || !right) throw new TypeError(`Cannot compare invalid cursors ${a} and ${b}`);
  return compareCursorParts(left, right);
}
