import { compareCursors } from '../../domain/index.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { GraphQLError } from '../graphqlJs.ts';

/**
 * When a journal has been trimmed and `after` lies before its oldest kept entry, events after `after`
 * may be gone: returns that oldest kept id so the caller can refuse to resume with a gap. Returns
 * undefined when the journal is complete from `after` on (or does not exist yet).
 */
export async function findTrimmedStart(
  redis: RedisClient,
  journalKey: string,
  after: string,
): Promise<string | undefined> {
  let reply: unknown[];
  try {
    reply = (await redis.xinfo('STREAM', journalKey)) as unknown[];
  } catch (error) {
    if (/no such key/i.test((error as Error).message)) return undefined;
    throw error;
  }
  const info = new Map<string, unknown>();
  for (let index = 0; index + 1 < reply.length; index += 2) info.set(String(reply[index]), reply[index + 1]);
  const added = Number(info.get('entries-added') ?? 0);
  const length = Number(info.get('length') ?? 0);
  // Redis 7 counts every entry ever added; fewer kept means the oldest were trimmed away.
  if (!(added > length)) return undefined;
  const first = info.get('recorded-first-entry-id');
  if (typeof first !== 'string' || first === '0-0') return undefined;
  return compareCursors(after, first) < 0 ? first : undefined;
}

/**
 * The CURSOR_EXPIRED error: reading on from `after` would skip the trimmed entries of the journal of
 * `contract` (its event journal, or the journal of one of its projections).
 */
export function cursorExpired(
  contract: string,
  after: string,
  oldest: string,
  projection?: string,
): GraphQLError {
  const journal = projection === undefined ? 'its journal' : `the journal of its ${projection} projection`;
  const what = projection === undefined ? 'events' : 'changes';
  return new GraphQLError(
    `Cannot resume contract ${contract} after ${after}: ${journal} now starts at ${oldest} and older ${what} were trimmed. Read the current state with queries and subscribe without after.`,
    {
      extensions: {
        code: 'CURSOR_EXPIRED',
        contract,
        ...(projection === undefined ? {} : { projection }),
        after,
        oldestCursor: oldest,
      },
    },
  );
}
