import { z } from 'zod';
import type { ChainEvent, Checkpoint } from './event.ts';
import { isAddress } from './evm.ts';

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'must be 0x-prefixed hex');
const hash = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 32-byte hex hash');
const address = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), 'must be a 20-byte hex address');
const uint = z.number().int().nonnegative();
const json: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(json)]),
);

const chainEventSchema = z
  .object({
    v: z.literal(1),
    id: z.string().min(1),
    status: z.enum(['PENDING', 'CONFIRMED', 'REMOVED']),
    chainId: z.number().int().positive(),
    blockNumber: uint,
    blockHash: hash,
    blockTimestamp: uint,
    transactionHash: hash,
    transactionIndex: uint,
    logIndex: uint,
    address,
    eventName: z.string().nullable(),
    signature: z.string().nullable(),
    decoded: z.boolean(),
    args: z.record(json),
    topics: z.array(hex),
    data: hex,
    template: z.string().min(1).optional(),
  })
  .superRefine((event, ctx) => {
    const expected = `${event.chainId}:${event.blockHash.toLowerCase()}:${event.logIndex}`;
    if (event.id !== expected) ctx.addIssue({ code: 'custom', path: ['id'], message: `must be ${expected}` });
  });

const checkpointSchema = z.object({
  v: z.literal(1),
  chainId: z.number().int().positive(),
  blockNumber: uint,
  blockHash: hash,
  head: uint,
  updatedAt: uint,
});

/** Why a message could not be decoded; `reason` names the field and what was expected. */
export type DecodeFailure = { ok: false; reason: string };
/** Result of decoding a message. */
export type DecodeResult<T> = { ok: true; value: T } | DecodeFailure;

function describe(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid message';
  const path = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
  let got: unknown = input;
  for (const part of issue.path) got = (got as Record<string | number, unknown> | undefined)?.[part];
  const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
  return `${path.replace(/^\./, '') || 'message'} ${issue.message}. Got ${shown}.`;
}

function parseJson(bytes: Buffer | string | null | undefined): DecodeResult<unknown> {
  if (bytes == null) return { ok: false, reason: 'message has no value' };
  try {
    return { ok: true, value: JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
}

function validate<T>(parsed: unknown, schema: z.ZodType<T>): DecodeResult<T> {
  const result = schema.safeParse(parsed);
  if (!result.success) return { ok: false, reason: describe(result.error, parsed) };
  return { ok: true, value: result.data };
}

function decodeJson<T>(bytes: Buffer | string | null | undefined, schema: z.ZodType<T>): DecodeResult<T> {
  const parsed = parseJson(bytes);
  return parsed.ok ? validate(parsed.value, schema) : parsed;
}

/** Serializes an event for Kafka or pub/sub. */
export function encodeEvent(event: ChainEvent): string {
  return JSON.stringify(event);
}

/** Parses and validates an event message; never throws. */
export function decodeEvent(bytes: Buffer | string | null | undefined): DecodeResult<ChainEvent> {
  return decodeJson(bytes, chainEventSchema as unknown as z.ZodType<ChainEvent>);
}

/** Validates an already parsed event message (one entry of a record); never throws. */
export function validateEvent(parsed: unknown): DecodeResult<ChainEvent> {
  return validate(parsed, chainEventSchema as unknown as z.ZodType<ChainEvent>);
}

/**
 * Serializes events of ONE contract, each already encoded by {@link encodeEvent}, in their chain
 * order, as one `events.confirmed` record: a single event is its own (v1) message; several are packed
 * as `{"v":2,"events":[…]}`. Packing saves the per-record cost of Kafka (on the producer, the broker
 * and the consumer), which is most of the ingestor's cost per log.
 */
export function encodeEventRecord(encoded: readonly string[]): string {
  if (encoded.length === 1) return encoded[0]!;
  return `{"v":${packedRecordVersion},"events":[${encoded.join(',')}]}`;
}

/** `v` of a record that packs several events ({@link encodeEventRecord}). */
export const packedRecordVersion = 2;

/** The entries of a record ({@link splitEventRecord}), and whether it was a packed one. */
export type SplitEventRecord = { ok: true; value: unknown[]; packed: boolean } | DecodeFailure;

/**
 * The entries of an `events.confirmed` record, parsed but not validated: the one event of a v1
 * message, or the events a packed (v2) record holds, in order. Never throws.
 */
export function splitEventRecord(bytes: Buffer | string | null | undefined): SplitEventRecord {
  const parsed = parseJson(bytes);
  if (!parsed.ok) return parsed;
  const record = parsed.value as { v?: unknown; events?: unknown } | null;
  if (typeof record !== 'object' || record === null || record.v !== packedRecordVersion)
    return { ok: true, value: [record], packed: false };
  if (!Array.isArray(record.events) || record.events.length === 0)
    return {
      ok: false,
      reason: `events of a packed record (v ${packedRecordVersion}) must be a non-empty list. Got ${JSON.stringify(record.events)?.slice(0, 80) ?? 'nothing'}.`,
    };
  return { ok: true, value: record.events, packed: true };
}

const packedPrefix = `{"v":${packedRecordVersion},"events":[`;

/**
 * The JSON text of each event of a packed record, as it stands in the record, or undefined when the
 * record is not laid out exactly as {@link encodeEventRecord} writes it (`{"v":2,"events":[` then the
 * events, separated by commas, then `]}`, no white space). A reader that validated the parsed events
 * may keep these texts instead of encoding each event again. Never throws.
 */
export function packedEventTexts(text: string): string[] | undefined {
  if (!text.startsWith(packedPrefix) || !text.endsWith(']}')) return undefined;
  // The index of the list's closing bracket.
  const close = text.length - 2;
  const texts: string[] = [];
  let i = packedPrefix.length;
  for (;;) {
    if (text.charCodeAt(i) !== 0x7b) return undefined;
    const start = i;
    let depth = 0;
    for (; i < close; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        // A string: jump to its closing quote, the first one not escaped (not after an odd run of
        // backslashes). indexOf skips the long hex strings of an event far faster than a loop.
        let end = text.indexOf('"', i + 1);
        for (;;) {
          if (end < 0 || end >= close) return undefined;
          let before = end - 1;
          while (text.charCodeAt(before) === 0x5c) before--;
          if ((end - 1 - before) % 2 === 0) break;
          end = text.indexOf('"', end + 1);
        }
        i = end;
      } else if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) break;
      }
    }
    if (i >= close) return undefined;
    texts.push(text.slice(start, i + 1));
    i++;
    if (i === close) return texts;
    if (text.charCodeAt(i) !== 0x2c) return undefined;
    i++;
  }
}

/**
 * Decodes every event of an `events.confirmed` record (v1 or packed); fails on the first entry that is
 * not a valid event, naming it. Never throws.
 */
export function decodeEventRecord(bytes: Buffer | string | null | undefined): DecodeResult<ChainEvent[]> {
  const split = splitEventRecord(bytes);
  if (!split.ok) return split;
  const events: ChainEvent[] = [];
  for (const [index, entry] of split.value.entries()) {
    const event = validateEvent(entry);
    if (!event.ok)
      return split.value.length === 1 ? event : { ok: false, reason: `events[${index}]: ${event.reason}` };
    events.push(event.value);
  }
  return { ok: true, value: events };
}

/** Serializes a checkpoint record. */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/** Parses and validates a checkpoint record; never throws. */
export function decodeCheckpoint(bytes: Buffer | string | null | undefined): DecodeResult<Checkpoint> {
  return decodeJson(bytes, checkpointSchema as unknown as z.ZodType<Checkpoint>);
}
