import type { ChainEvent } from '../../domain/index.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { EventNode } from './eventNode.ts';
import { decodeEventEntry } from './journalMerger.ts';
import { createJournalStream, type JournalStream, type JournalStreamParameters } from './journalStream.ts';
import { encodeResumeToken, type PositionMap } from './resumeToken.ts';
import { countDelivered, isStalePending, prepareItem, type StreamItem, toItem } from './streamItem.ts';
import { createStreamPositions } from './streamPositions.ts';

export type { StreamSource } from './streamPositions.ts';

/**
 * Parameters of {@link createEventStream}: where events come from and how they are delivered (see
 * `JournalStreamParameters`; sources are contract journals, channels carry `EventChannelMessage`s),
 * and which events the subscriber wants.
 */
export type EventStreamParameters = Pick<
  JournalStreamParameters<StreamItem, EventNode>,
  'redis' | 'hub' | 'logger' | 'channels' | 'sources' | 'after' | 'capacity' | 'pageSize' | 'sink'
> & {
  /** Events that pass are delivered; the others only advance the positions. */
  filter: (event: ChainEvent) => boolean;
  /**
   * How a client closed as a slow consumer or interrupted goes on (default: resubscribe with
   * `after`, for subscriptions that take it).
   */
  resumeMessage?: string;
};

/** The iterator a subscription resolver returns. */
export type EventStream = JournalStream<EventNode>;

/** A PENDING event of a block that is already confirmed for its contract is dropped (and counted). */
function isStale(item: StreamItem, position: Parameters<typeof isStalePending>[1]): boolean {
  if (!isStalePending(item, position)) return false;
  gatewayMetrics.stalePendingDropped.inc();
  return true;
}

/** The node of a delivered event; the resume token is computed only when a selection reads it. */
function toNode(item: StreamItem, delivered: PositionMap, source: 'replay' | 'live'): EventNode {
  countDelivered(source);
  if (item.receivedAt !== undefined)
    gatewayMetrics.latency.observe((performance.now() - item.receivedAt) / 1000);
  // A bound function: no closure to create (and name, under tsx) per delivery.
  return { event: item.event, cursor: item.cursor, resumeToken: encodeResumeToken.bind(null, delivered) };
}

/**
 * A subscription's event stream over contract journals and channels (`createJournalStream`): gapless
 * with `after`, deduplicated by contract position, bounded. A PENDING event (not journaled, cursor
 * null) is delivered as seen unless its block is at or behind the contract's position: that block is
 * confirmed already, so its CONFIRMED (or REMOVED) was delivered or lies before the start. A slow
 * consumer's error carries the last cursor and the resume token of what it received.
 */
export function createEventStream(params: EventStreamParameters): EventStream {
  const { filter, sink, hub, logger, channels } = params;
  const resumeMessage = params.resumeMessage ?? 'Resubscribe with after: the resumeToken in extensions.';
  const createPositions = () => createStreamPositions<StreamItem>((item) => filter(item.event), isStale);
  const joinLive = sink?.joinLive?.bind(sink);
  return createJournalStream<StreamItem, EventNode>({
    ...params,
    fromMessage: toItem,
    fromEntry: (fields, id) => {
      const decoded = decodeEventEntry(fields, id, '');
      if (!decoded.ok) return decoded;
      const item = prepareItem(decoded.value, id, undefined, undefined);
      return item ? { ok: true, value: item } : { ok: false, reason: `invalid journal id ${id}` };
    },
    positions: createPositions(),
    joinLive:
      joinLive &&
      ((member) => joinLive({ hub, logger, channels, fromMessage: toItem, createPositions, ...member })),
    toNode,
    resumeHint: (positions) => ({
      items: 'events',
      message: resumeMessage,
      extensions: {
        lastCursor: positions.lastCursor(),
        resumeToken: encodeResumeToken(positions.delivered()),
      },
    }),
  });
}
