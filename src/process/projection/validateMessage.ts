import {
  type ChainEvent,
  type EventStatus,
  eventKey,
  packedEventTexts,
  splitEventRecord,
  validateEvent,
} from '../../domain/index.ts';
import { fastValidateEvent } from './fastValidateEvent.ts';

/** Parameters of {@link validateMessage}. */
export type ValidateMessageParameters = {
  key: Buffer | null;
  value: Buffer | null;
  /** Statuses that may appear on the topic the message came from. */
  statuses: readonly EventStatus[];
};

/** A valid event, or why the message belongs in the DLQ. */
export type ValidateMessageResult = { ok: true; event: ChainEvent } | { ok: false; reason: string };

/** A valid entry of a record: the event, and its JSON when the record's own text of it can be kept. */
type ValidEntry = {
  ok: true;
  event: ChainEvent;
  /**
   * The event's JSON as it stands in the record, when it holds exactly the validated event (no other
   * field, the address in lower case): kept instead of encoding the event again.
   */
  json?: string;
};

/**
 * One entry of a record: a valid event, or why it belongs in the DLQ. For an entry of a packed record
 * `value` is the entry's own JSON, what the DLQ keeps of it (the record's other events were applied).
 */
export type ValidatedEntry = ValidEntry | { ok: false; reason: string; value?: Buffer; index?: number };

/** Whether `parsed` has no field beyond those of `event` (the fast validation copies only known ones). */
function noOtherFields(parsed: object, event: ChainEvent): boolean {
  let fields = 0;
  for (const _ in parsed) fields++;
  for (const _ in event) fields--;
  return fields === 0;
}

/**
 * Checks one parsed event against what the codec cannot: the Kafka key must be the event's
 * `<chainId>:<address>` (otherwise it may sit in the wrong partition and break per-contract order),
 * and the status must belong to the topic.
 */
function validateEntry(
  parsed: unknown,
  gotKey: string | undefined,
  statuses: readonly EventStatus[],
  text?: string,
): ValidEntry | { ok: false; reason: string } {
  let event = fastValidateEvent(parsed);
  // Only the fast validation proves the text holds nothing but the event (zod's may transform).
  const keepText = text !== undefined && event !== undefined && noOtherFields(parsed as object, event);
  if (!event) {
    const decoded = validateEvent(parsed);
    if (!decoded.ok) return decoded;
    event = decoded.value;
  }
  const expectedKey = eventKey(event.chainId, event.address);
  if (gotKey !== expectedKey) {
    return {
      ok: false,
      reason: `key must be ${expectedKey} (chainId:address of the event). Got ${gotKey === undefined ? 'nothing' : JSON.stringify(gotKey.slice(0, 80))}.`,
    };
  }
  if (!statuses.includes(event.status)) {
    return {
      ok: false,
      reason: `status must be ${statuses.join(' or ')} on this topic. Got "${event.status}".`,
    };
  }
  const address = event.address.toLowerCase() as `0x${string}`;
  if (address !== event.address) return { ok: true, event: { ...event, address } };
  return keepText ? { ok: true, event, json: text } : { ok: true, event };
}

/**
 * Decodes a record of `events.confirmed` (one event, or several packed) and validates each event
 * apart: a bad event of a packed record fails alone, named by its index, and the others apply.
 * A record that is not JSON or not a record at all is one failure for the whole message.
 */
export function validateRecord({ key, value, statuses }: ValidateMessageParameters): ValidatedEntry[] {
  const text = value == null ? value : value.toString('utf8');
  const split = splitEventRecord(text);
  if (!split.ok) return [split];
  const gotKey = key?.toString('utf8');
  const entries = split.value;
  // The events' own texts: the whole text of a v1 record; those of a packed record laid out as the
  // ingestor writes it.
  const texts = !text ? undefined : split.packed ? packedEventTexts(text) : [text];
  const textOf = (index: number) => (texts?.length === entries.length ? texts[index] : undefined);
  if (entries.length === 1) return [validateEntry(entries[0], gotKey, statuses, textOf(0))];
  return entries.map((entry, index) => {
    const result = validateEntry(entry, gotKey, statuses, textOf(index));
    if (result.ok) return result;
    return {
      ok: false,
      reason: `events[${index}] of a packed record: ${result.reason}`,
      value: Buffer.from(JSON.stringify(entry) ?? 'null'),
      index,
    };
  });
}

/** Decodes and validates a message holding one event (`events.pending`). */
export function validateMessage({ key, value, statuses }: ValidateMessageParameters): ValidateMessageResult {
  let parsed: unknown;
  try {
    if (value == null) return { ok: false, reason: 'message has no value' };
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `value is not JSON: ${(error as Error).message}` };
  }
  return validateEntry(parsed, key?.toString('utf8'), statuses);
}
