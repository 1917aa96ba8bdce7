import {
  type ChainEvent,
  compareCursors,
  type DecodeResult,
  decodeEvent,
  journalEntryEvent,
} from '../../domain/index.ts';
import type { RedisClient } from '../../shared/redis.ts';

/** One journal to read, after (ascending) or before (descending) an exclusive position. */
export type JournalSource = { key: string; journalKey: string; from: string | null };

/** An entry read from a journal, decoded. */
export type JournalItem<T> = { key: string; cursor: string; value: T };

/** Decodes the fields of one journal entry (`id` is its stream id, `key` its source's key). */
export type DecodeJournalEntry<T> = (fields: string[], id: string, key: string) => DecodeResult<T>;

/** Parameters of {@link createJournalMerger}. */
export type JournalMergerParameters<T> = {
  redis: RedisClient;
  sources: JournalSource[];
  pageSize: number;
  decode: DecodeJournalEntry<T>;
  descending?: boolean;
  /** Called for an entry that does not decode; it is skipped. */
  onInvalid?: (source: JournalSource, id: string, reason: string) => void;
};

/** Reads several journals lazily, page by page, merged in cursor order. */
export type JournalMerger<T> = { next(): Promise<JournalItem<T> | undefined> };

type SourceState<T> = {
  source: JournalSource;
  position: string | null;
  buffer: JournalItem<T>[];
  exhausted: boolean;
};

/** Decodes an entry of a contract's event journal (`journalFields`). */
export const decodeEventEntry: DecodeJournalEntry<ChainEvent> = (fields) =>
  decodeEvent(journalEntryEvent(fields));

/**
 * Creates a merged reader. Across journals, entries are ordered by cursor (chain position), ties
 * broken by source key, so a page boundary never depends on which journal was read first.
 */
export function createJournalMerger<T>(params: JournalMergerParameters<T>): JournalMerger<T> {
  const { redis, pageSize, decode, descending = false } = params;
  const states: SourceState<T>[] = params.sources.map((source) => ({
    source,
    position: source.from,
    buffer: [],
    exhausted: false,
  }));

  const fill = async (state: SourceState<T>): Promise<void> => {
    const { journalKey } = state.source;
    const entries = descending
      ? await redis.xrevrange(journalKey, state.position ? `(${state.position}` : '+', '-', 'COUNT', pageSize)
      : await redis.xrange(journalKey, state.position ? `(${state.position}` : '-', '+', 'COUNT', pageSize);
    if (entries.length < pageSize) state.exhausted = true;
    for (const [id, fields] of entries) {
      state.position = id;
      const decoded = decode(fields, id, state.source.key);
      if (!decoded.ok) {
        params.onInvalid?.(state.source, id, decoded.reason);
        continue;
      }
      state.buffer.push({ key: state.source.key, cursor: id, value: decoded.value });
    }
  };

  const order = (a: JournalItem<T>, b: JournalItem<T>): number => {
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
      let best: SourceState<T> | undefined;
      for (const state of states) {
        const head = state.buffer[0];
        if (head && (!best || order(head, best.buffer[0]!) < 0)) best = state;
      }
      return best?.buffer.shift();
    },
  };
}
