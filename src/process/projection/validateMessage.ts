import { type ChainEvent, decodeEvent, type EventStatus, eventKey } from '../../domain/index.ts';
import { fastDecodeEvent } from './fastDecodeEvent.ts';

/** Parameters of {@link validateMessage}. */
export type ValidateMessageParameters = {
  key: Buffer | null;
  value: Buffer | null;
  /** Statuses that may appear on the topic the message came from. */
  statuses: readonly EventStatus[];
};

/** A valid event, or why the message belongs in the DLQ. */
export type ValidateMessageResult = { ok: true; event: ChainEvent } | { ok: false; reason: string };

/**
 * Decodes an event message and checks what the codec cannot: the Kafka key must be the event's
 * `<chainId>:<address>` (otherwise it may sit in the wrong partition and break per-contract order),
 * and the status must belong to the topic.
 */
export function validateMessage({ key, value, statuses }: ValidateMessageParameters): ValidateMessageResult {
  let event = fastDecodeEvent(value);
  if (!event) {
    const decoded = decodeEvent(value);
    if (!decoded.ok) return decoded;
    event = decoded.value;
  }
  const expectedKey = eventKey(event.chainId, event.address);
  const gotKey = key?.toString('utf8');
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
  return { ok: true, event: { ...event, address: event.address.toLowerCase() as `0x${string}` } };
}
