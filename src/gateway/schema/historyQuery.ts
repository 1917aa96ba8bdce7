import { contractKey } from '../../domain/index.ts';
import type { EventNode } from '../stream/eventNode.ts';
import { cursorExpired, findTrimmedStart } from '../stream/findTrimmedStart.ts';
import { createJournalMerger, decodeEventEntry } from '../stream/journalMerger.ts';
import { encodeResumeToken } from '../stream/resumeToken.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder, SchemaRefs } from './builder.ts';
import { type EventFilterInput, positionsFrom, resolveFilter } from './inputs.ts';

type EventPage = {
  nodes: EventNode[];
  endCursor: string | null;
  endPosition: string | null;
  hasNextPage: boolean;
};

// Upper bound of journal entries one page may scan, so a selective filter cannot scan a whole journal.
const maxScanned = 10_000;

/** Adds the `events` history query (journal reads with cursor pagination). */
export function addHistoryQuery(builder: Builder, { chainEvent, eventFilter }: SchemaRefs) {
  const order = builder.enumType('EventOrder', { values: ['ASC', 'DESC'] as const });

  const page = builder.objectRef<EventPage>('EventPage').implement({
    fields: (t) => ({
      nodes: t.field({ type: [chainEvent], resolve: (p) => p.nodes }),
      endCursor: t.field({
        type: 'Cursor',
        nullable: true,
        description: 'Cursor of the last node (unambiguous for a single contract).',
        resolve: (p) => p.endCursor,
      }),
      endPosition: t.field({
        type: 'StreamPosition',
        nullable: true,
        description: 'Pass as `after` for the next page; also a valid `after` for the `events` subscription.',
        resolve: (p) => p.endPosition,
      }),
      hasNextPage: t.exposeBoolean('hasNextPage', {
        description:
          'True when more matching events may follow (at least one more entry is in the journals).',
      }),
    }),
  });

  builder.queryField('events', (t) =>
    t.field({
      type: page,
      description:
        'Event history from the per-contract journals (CONFIRMED and REMOVED events), merged in chain order across contracts.',
      args: {
        filter: t.arg({ type: eventFilter, required: false }),
        first: t.arg.int({ required: false, defaultValue: 50 }),
        after: t.arg({ type: 'StreamPosition', required: false }),
        order: t.arg({ type: order, required: false, defaultValue: 'ASC' }),
      },
      resolve: async (_root, args, ctx) => {
        const first = args.first ?? 50;
        if (first < 1 || first > 500) throw badUserInput('first', `must be between 1 and 500. Got ${first}.`);
        const resolved = await resolveFilter(ctx.services, args.filter as EventFilterInput | null);
        const descending = args.order === 'DESC';
        const positions: Record<string, string> = { ...positionsFrom(args.after, resolved.contracts) };
        // Reading on from a position behind the trimmed part of a journal would skip events silently.
        // "0-0" means from the beginning, which is the oldest entry kept (as without `after`).
        if (!descending) {
          for (const source of resolved.sources) {
            const after = positions[contractKey(source.chainId, source.address)];
            if (after === undefined || after === '0-0') continue;
            const oldest = await findTrimmedStart(ctx.services.redis, source.journalKey, after);
            if (oldest !== undefined) throw cursorExpired(source.address, after, oldest);
          }
        }
        const merger = createJournalMerger({
          redis: ctx.services.redis,
          pageSize: Math.min(first + 1, 500),
          decode: decodeEventEntry,
          descending,
          sources: resolved.sources.map((source) => {
            const key = contractKey(source.chainId, source.address);
            return { key, journalKey: source.journalKey, from: positions[key] ?? null };
          }),
        });
        const nodes: EventNode[] = [];
        let scanned = 0;
        let hasNextPage = false;
        let endCursor: string | null = null;
        for (;;) {
          const item = await merger.next();
          if (!item) break;
          if (nodes.length === first || scanned >= maxScanned) {
            hasNextPage = true;
            break;
          }
          scanned += 1;
          positions[item.key] = item.cursor;
          if (resolved.predicate(item.value)) {
            nodes.push({ event: item.value, cursor: item.cursor, resumeToken: null });
            endCursor = item.cursor;
          }
        }
        // In ascending order a contract not reached yet is at its beginning, so the position stays
        // gapless when handed to the subscription.
        if (!descending) {
          for (const source of resolved.sources)
            positions[contractKey(source.chainId, source.address)] ??= '0-0';
        }
        const endPosition = Object.keys(positions).length > 0 ? encodeResumeToken(positions) : null;
        return { nodes, endCursor, endPosition, hasNextPage };
      },
    }),
  );
}
