import type { Redis } from 'ioredis';
import { type ChainEvent, compareCursors, decodeEvent, journalEntryEvent } from '../../domain/index.ts';

/** One contract journal to read, after (ascending) or before (descending) an exclusive position. */
export type JournalSource = { key: string; journalKey: string; from: string | null };

/** An entry read from a journal. */
export type JournalItem = { key: string; cursor: string; event: ChainEvent };

/** Parameters of {@link createJournalMerger}. */
export type JournalMergerParameters = {
  redis: Redis;
  sources: JournalSource[];
  pageSize: number;
  descending?: boolean;
  /** Called for an entry that does not decode; it is skipped. */
  onInvalid?: (source: JournalSource, id: string, reason: string) => void;
};

/** Reads several contract journals lazily, page by page, merged in cursor order. */
export type JournalMerger = { next(): Promise<JournalItem | undefined> };

type SourceState = {
  source: JournalSource;
  position: string | null;
  buffer: JournalItem[];
  exhausted: boolean;
};

/**
 * Creates a merged reader. Across contracts, entries are ordered by cursor (chain position), ties
 * broken by contract key, so a page boundary never depends on which contract was read first.
 */
export function createJournalMerger(params: JournalMergerParameters): JournalMerger {
  const { redis, pageSize, descending = false } = params;
  const states: SourceState[] = params.sources.map((source) => ({
    source,
    position: source.from,
    buffer: [],
    exhausted: false,
  }));

  const fill = async (state: SourceState): Promise<void> => {
    const { journalKey } = state.source;
    const entries = descending
      ? await redis.xrevrange(journalKey, state.position ? `(${state.position}` : '+', '-', 'COUNT', pageSize)
      : await redis.xrange(journalKey, state.position ? `(${state.position}` : '-', '+', 'COUNT', pageSize);
    if (entries.length < pageSize) state.exhausted = true;
    for (const [id, fields] of entries) {
      state.position = id;
      const decoded = decodeEvent(journalEntryEvent(fields));
      if (!decoded.ok) {
        params.onInvalid?.(state.source, id, decoded.reason);
        continue;
      }
      state.buffer.push({ key: state.source.key, cursor: id, event: decoded.value });
    }
  };

  const order = (a: JournalItem, b: JournalItem): number => {
    const byCursor = compareCursors(a.cursor, b.cursor);
    const result = byCursor !== 0 ? byCursor : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    return descending ? -result : result;
  };

  return {
    async next() {
      for (;;) {
        const starving = states.filter((state) => state.buffer.length === 0 && !state.exhausted);
        if (starving.length === 0) break;
        await Promise.all(starving.map(fill));
      }
      let best: SourceState | undefined;
      for (const state of states) {
        const head = state.buffer[0];
        if (head && (!best || order(head, best.buffer[0]!) < 0)) best = state;
      }
      return best?.buffer.shift();
    },
  };
}
