import { type ChainEvent, type CursorParts, contractKey, parseCursor } from '../../domain/index.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { HubMessage } from '../pubsub/channelHub.ts';

/**
 * What a gapless stream needs of anything it delivers: which journal it belongs to and where in it
 * (see `journalStream.ts`). Items are shared by all streams when they came from a channel message.
 */
export type PositionedItem = {
  /** Key of the item's journal (`sourceKey` of its source). */
  key: string;
  /** Journal cursor; null for an item that is not journaled (a PENDING event). */
  cursor: string | null;
  /** The parsed cursor (undefined when `cursor` is null). */
  at: CursorParts | undefined;
  /** `performance.now()` at channel receipt; undefined for replayed entries. */
  receivedAt: number | undefined;
  /** The channel message shared by every listener; undefined for replayed entries. */
  shared: object | undefined;
};

/** An event as a stream handles it; `key` is the `contractKey` of the event. */
export type StreamItem = PositionedItem & { event: ChainEvent };

// One message can be delivered to thousands of subscriptions at once; the labelled counter is
// updated once per event-loop turn with the sums instead of once per delivery.
const uncounted = { replay: 0, live: 0 };
let countScheduled = false;

/** Adds deliveries to `blockwire_gateway_events_delivered_total` (within the event-loop turn). */
export function countDelivered(source: 'replay' | 'live', count = 1): void {
  uncounted[source] += count;
  if (countScheduled) return;
  countScheduled = true;
  setImmediate(() => {
    countScheduled = false;
    for (const key of ['replay', 'live'] as const) {
      if (uncounted[key] > 0) gatewayMetrics.delivered.inc({ source: key }, uncounted[key]);
      uncounted[key] = 0;
    }
  });
}

/**
 * Whether a PENDING event comes too late: its block is at or behind the contract's position (the
 * last journal entry the stream has seen for that contract), so the block is confirmed already and
 * its CONFIRMED (or REMOVED) follow-up was delivered, or lies before where the stream started. A
 * pending consumer whose partitions moved in a rebalance can publish such a message long after
 * the confirmation. Journal ids are `<block>-<logIndex>` (a deep-reorg REMOVED takes an id after the
 * last), so comparing the block with the position's major part is exact.
 */
export function isStalePending(item: StreamItem, position: CursorParts | undefined): boolean {
  return (
    item.event.status === 'PENDING' &&
    position !== undefined &&
    BigInt(item.event.blockNumber) <= position.major
  );
}

/** A stream item of an event and its cursor; undefined when the cursor is not a valid cursor. */
export function prepareItem(
  event: ChainEvent,
  cursor: string | null,
  receivedAt: number | undefined,
  shared: object | undefined,
): StreamItem | undefined {
  const at = cursor === null ? undefined : parseCursor(cursor);
  if (cursor !== null && !at) return undefined;
  return { event, cursor, receivedAt, shared, key: contractKey(event.chainId, event.address), at };
}

// A channel message reaches every subscription listening on its channel: it is checked and its
// cursor parsed once for all of them (items are never mutated).
const preparedItems = new WeakMap<HubMessage, StreamItem | null>();

/** The stream item of a channel message (checked once per message); undefined when malformed. */
export function toItem(message: HubMessage): StreamItem | undefined {
  let item = preparedItems.get(message);
  if (item === undefined) {
    item = checkItem(message) ?? null;
    preparedItems.set(message, item);
  }
  return item ?? undefined;
}

function checkItem(message: HubMessage): StreamItem | undefined {
  const payload = message.payload as { kind?: unknown; event?: Partial<ChainEvent>; cursor?: unknown } | null;
  const event = payload?.event;
  if (
    payload?.kind !== 'event' ||
    !event ||
    typeof event.chainId !== 'number' ||
    typeof event.address !== 'string' ||
    typeof event.status !== 'string' ||
    !event.args ||
    typeof event.args !== 'object'
  ) {
    return undefined;
  }
  const cursor = typeof payload.cursor === 'string' ? payload.cursor : null;
  return prepareItem(event as ChainEvent, cursor, message.receivedAt, message);
}
