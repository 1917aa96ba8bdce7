import { type CursorParts, compareCursorParts, contractKey, parseCursor } from '../../domain/index.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { cursorExpired, findTrimmedStart } from './findTrimmedStart.ts';
import type { PositionMap } from './resumeToken.ts';
import type { PositionedItem } from './streamItem.ts';

/**
 * A journal that backs a stream: a contract's event journal, or one of its projection journals
 * (then `projection` names it, which keeps the two apart in position maps).
 */
export type StreamSource = { chainId: number; address: string; journalKey: string; projection?: string };

/** The key of a source in position maps: its `contractKey`, plus `/<projection>` for a projection. */
export const sourceKey = (source: StreamSource): string => {
  const key = contractKey(source.chainId, source.address);
  return source.projection === undefined ? key : `${key}/${source.projection}`;
};

/**
 * Step 1 of a stream: the position each source starts after. Sources in `after` start there
 * (refused with `CURSOR_EXPIRED` when the journal was trimmed past it); the others start at their
 * journal's current tip (`0-0` when empty), read before subscribing so that whatever is appended
 * between this read and the SUBSCRIBE is in the replay.
 */
export async function readStartPositions(
  redis: RedisClient,
  sources: StreamSource[],
  after: PositionMap | undefined,
): Promise<PositionMap> {
  const missing = sources.filter((source) => after?.[sourceKey(source)] === undefined);
  const tips = await Promise.all(
    missing.map((source) => redis.xrevrange(source.journalKey, '+', '-', 'COUNT', 1)),
  );
  const start: Record<string, string> = {};
  missing.forEach((source, index) => {
    start[sourceKey(source)] = tips[index]?.[0]?.[0] ?? '0-0';
  });
  Object.assign(start, after ?? {});
  // Resuming across a trimmed part of a journal would silently skip events: refuse instead.
  for (const source of sources) {
    const from = after?.[sourceKey(source)];
    if (from === undefined) continue;
    const oldest = await findTrimmedStart(redis, source.journalKey, from);
    if (oldest !== undefined) throw cursorExpired(source.address, from, oldest, source.projection);
  }
  return start;
}

/**
 * Where one stream stands per source. `seen` is the last journal position passed through
 * {@link StreamPositions.accept} (replayed, buffered or live); `delivered` is what the client got,
 * which the resume token and the SLOW_CONSUMER error carry.
 */
export type StreamPositions<I extends PositionedItem> = {
  /** Positions the stream starts after (step 1); also the first `delivered`. */
  start(positions: PositionMap): void;
  /** Journal position the replay of a source starts after. */
  startOf(key: string): string;
  /**
   * Dedup and filter. Advances the source's position for every journaled item it sees (also the
   * filtered-out ones); drops an item at or before it (already delivered) and an item without a
   * cursor that `isStale` calls stale (for events: a PENDING whose block is already confirmed).
   */
  accept(item: I): boolean;
  /** Records that the item goes to the client; returns the positions valid after it. */
  deliver(item: I): PositionMap;
  delivered(): PositionMap;
  lastCursor(): string | null;
  /**
   * Whether the dedup would let the item through at `position` (ignoring the filter, changing
   * nothing): a journaled item after it, an item without a cursor that is not stale there.
   */
  isAfter(item: I, position: CursorParts | undefined): boolean;
  /** The last journal position seen per source key. */
  seen(): ReadonlyMap<string, CursorParts>;
  /**
   * Takes over what another path delivered for this stream (the shared live path of a fan-out
   * group), so that the stream's resume hint reports it.
   */
  adopt(delivered: PositionMap, lastCursor: string | null): void;
};

/**
 * Creates the positions of one stream; `filter` decides which accepted items are delivered, and
 * `isStale` which items without a cursor are dropped given their source's position.
 */
export function createStreamPositions<I extends PositionedItem>(
  filter: (item: I) => boolean,
  isStale?: (item: I, position: CursorParts | undefined) => boolean,
): StreamPositions<I> {
  const seen = new Map<string, CursorParts>();
  const startAt: Record<string, string> = {};
  let delivered: PositionMap = {};
  let lastCursor: string | null = null;

  return {
    start(positions) {
      for (const [key, cursor] of Object.entries(positions)) {
        startAt[key] = cursor;
        const parsed = parseCursor(cursor);
        if (parsed) seen.set(key, parsed);
      }
      delivered = { ...startAt };
    },
    startOf: (key) => startAt[key] ?? '0-0',
    accept(item) {
      const previous = seen.get(item.key);
      if (item.cursor !== null && item.at) {
        if (previous !== undefined && compareCursorParts(item.at, previous) <= 0) return false;
        seen.set(item.key, item.at);
      } else if (isStale?.(item, previous)) {
        return false;
      }
      return filter(item);
    },
    isAfter(item, position) {
      if (item.cursor !== null && item.at)
        return position === undefined || compareCursorParts(item.at, position) > 0;
      return !isStale?.(item, position);
    },
    seen: () => seen,
    adopt(positions, cursor) {
      delivered = positions;
      lastCursor = cursor;
    },
    deliver(item) {
      if (item.cursor !== null) {
        delivered = { ...delivered, [item.key]: item.cursor };
        lastCursor = item.cursor;
      }
      return delivered;
    },
    delivered: () => delivered,
    lastCursor: () => lastCursor,
  };
}
