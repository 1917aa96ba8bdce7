import type { EventChannelMessage } from './channelMessage.ts';
import { zeroAddress } from './evm.ts';

/**
 * The Redis read model: the field names and encodings of the hashes and streams the processor writes
 * and the gateway reads (the keys themselves are built in `names.ts`). This is their one definition:
 * the Lua scripts get it as a generated prelude (`readModelLuaPrelude`), the gateway reads through
 * one reader built on it, and the tests take it from here too.
 *
 * Encodings: block numbers, counts and amounts are decimal strings (uint256 never loses precision);
 * journal ids and marks are `<blockNumber>-<logIndex>`; addresses are lower-case hex.
 */

/** Fields of a contract's `meta` hash (processor bookkeeping). */
export const metaFields = {
  /** `<block>-<logIndex>` of the newest applied event (the dedup high-water mark). */
  highWaterMark: 'hwm',
  /** Journal id of the last entry appended (the contract's `processedCursor`). */
  lastJournalId: 'lastId',
  /** Block at or below which applied ids left the reorg window. */
  trimmed: 'trimmed',
  /** Number of journal entries appended (applied CONFIRMED and REMOVED events). */
  appliedCount: 'count',
} as const;

/** Fields of a contract's `token` hash (ERC-20 and ERC-721 totals). */
export const tokenFields = {
  /** Minted minus burned (decimal). */
  totalSupply: 'totalSupply',
  /** Accounts with a positive balance. */
  holders: 'holders',
  /** Transfers applied (REMOVED ones subtracted). */
  transfers: 'transfers',
} as const;

/** Fields of a chain's status hash. */
export const chainStatusFields = {
  /** Latest block seen by the ingestor. */
  head: 'head',
  /** Last confirmed block (the ingest checkpoint). */
  confirmed: 'confirmed',
  /** Hash of the confirmed block. */
  confirmedHash: 'confirmedHash',
  /** Last block up to which every event is applied. */
  processedBlock: 'processedBlock',
  /** Unix milliseconds of the last update. */
  updatedAt: 'updatedAt',
} as const;

/** Fields of a journal (stream) entry. */
export const journalFields = {
  /** The event message JSON (`encodeEvent`). */
  event: 'e',
} as const;

/**
 * Fields of an entity hash besides the projection's own fields (which are stored under their names,
 * as canonical strings: decimal integers, lower-case addresses and hex, `true`/`false`). A field never
 * written is absent. The names start with `_`, which projection field names cannot.
 */
export const entityFields = {
  /** Block number of the event that last changed the entity. */
  updatedAtBlock: '_b',
  /** Journal cursor of the event that last changed the entity. */
  cursor: '_c',
} as const;

/** Fields of a projection journal entry (its id is the cursor of the event that made the change). */
export const entityJournalFields = {
  /** The entity key string (`entityKeyString`). */
  key: 'k',
  /** JSON object of the entity hash after the change, or `null` when the change deleted it. */
  entity: 'e',
} as const;

/**
 * The message published on an entity channel for each change: the entity hash after it (null when
 * deleted) and the cursor of the event that made it (a REMOVED event's cursor for a reversal).
 */
export type EntityChannelMessage = {
  kind: 'entity';
  projection: string;
  key: string;
  entity: Record<string, string> | null;
  cursor: string;
};

/** The event JSON of a journal entry's fields (XRANGE reply), undefined when it has none. */
export function journalEntryEvent(fields: string[]): string | undefined {
  const index = fields.indexOf(journalFields.event);
  return index >= 0 ? fields[index + 1] : undefined;
}

/** Event count field of logs that did not decode (the other count fields are event names). */
export const undecodedCountField = '__undecoded';

/** Separator of an ERC-1155 balance field: `<tokenId><sep><holder>`. */
export const multiBalanceSeparator = ':';

/** Field of the ERC-1155 balance of one holder for one token id. */
export function multiBalanceField(tokenId: string, holder: string): string {
  return `${tokenId}${multiBalanceSeparator}${holder.toLowerCase()}`;
}

/** A contract's `meta` hash as read back. */
export type ContractProgress = { lastJournalId: string | null; appliedCount: string };

/** A chain's status hash as read back (null: not written yet). */
export type ChainStatus = { -readonly [K in keyof typeof chainStatusFields]: string | null };

/** Decodes a chain status hash (HGETALL reply). */
export function decodeChainStatus(hash: Record<string, string>): ChainStatus {
  const out = {} as ChainStatus;
  for (const [name, field] of Object.entries(chainStatusFields) as [keyof ChainStatus, string][])
    out[name] = hash[field] ?? null;
  return out;
}

/** Markers replaced by the raw event JSON, the cursor and the traceparent in the event channel message template. */
const eventMarker = '\u0000event\u0000';
const cursorMarker = '\u0000cursor\u0000';
const traceMarker = '\u0000trace\u0000';

/**
 * The event channel message (`EventChannelMessage` of kind `event`) as literal pieces around the raw
 * event JSON, the cursor and the optional traceparent, so a script can build the exact bytes without
 * a JSON encoder: `prefix + eventJson + middle + cursor + suffix`, or with a trace context
 * `prefix + eventJson + middle + cursor + trace + traceparent + suffix`.
 */
export function eventMessageTemplate(): { prefix: string; middle: string; trace: string; suffix: string } {
  const sample: Required<Record<keyof EventChannelMessage, string>> = {
    kind: 'event',
    event: eventMarker,
    cursor: cursorMarker,
    traceparent: traceMarker,
  };
  const text = JSON.stringify(sample);
  const [prefix, rest] = text.split(JSON.stringify(eventMarker)) as [string, string];
  const [middle, afterCursor] = rest.split(JSON.stringify(cursorMarker).slice(1, -1)) as [string, string];
  const [trace, suffix] = afterCursor.split(JSON.stringify(traceMarker).slice(1, -1)) as [string, string];
  return { prefix, middle, trace, suffix };
}

/**
 * The entity channel message (`EntityChannelMessage`) as literal pieces around the JSON of the
 * projection name, the key and the entity and around the cursor, so a script can build it:
 * `prefix + projectionJson + key + keyJson + entity + entityJson + cursor + cursorText + suffix`.
 */
export function entityMessageTemplate(): {
  prefix: string;
  key: string;
  entity: string;
  cursor: string;
  suffix: string;
} {
  const marker = (name: string) => `\u0000${name}\u0000`;
  const sample: Record<keyof EntityChannelMessage, string> = {
    kind: 'entity',
    projection: marker('projection'),
    key: marker('key'),
    entity: marker('entity'),
    cursor: marker('cursor'),
  };
  let rest = JSON.stringify(sample);
  const cut = (piece: string): string => {
    const at = rest.indexOf(piece);
    const before = rest.slice(0, at);
    rest = rest.slice(at + piece.length);
    return before;
  };
  const prefix = cut(JSON.stringify(marker('projection')));
  const key = cut(JSON.stringify(marker('key')));
  const entity = cut(JSON.stringify(marker('entity')));
  const cursor = cut(JSON.stringify(marker('cursor')).slice(1, -1));
  return { prefix, key, entity, cursor, suffix: rest };
}

/** Everything the Lua scripts need from the read model, as one plain object (see `RM` in the Lua). */
export function readModelForLua() {
  return {
    meta: metaFields,
    token: tokenFields,
    status: chainStatusFields,
    journal: journalFields,
    entity: entityFields,
    entityJournal: entityJournalFields,
    undecodedCountField,
    multiBalanceSeparator,
    eventMessage: eventMessageTemplate(),
    entityMessage: entityMessageTemplate(),
    zeroAddress,
  };
}

function luaString(value: string): string {
  // JSON escapes are valid Lua escapes for the characters they produce here (\" \\ \n \u is not used).
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function luaValue(value: unknown): string {
  if (typeof value === 'string') return luaString(value);
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([name, inner]) => `${name} = ${luaValue(inner)}`,
  );
  return `{ ${entries.join(', ')} }`;
}

/** The Lua prelude the processor's scripts are prepended with: `local RM = { ... }`. */
export function readModelLuaPrelude(): string {
  return `-- Generated from src/domain/readModel.ts: the Redis read model's field names and encodings.\nlocal RM = ${luaValue(readModelForLua())}\n`;
}
