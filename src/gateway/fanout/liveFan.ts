import { type CursorParts, compareCursorParts, compareCursors } from '../../domain/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { HubMessage } from '../pubsub/channelHub.ts';
import type { EventNode } from '../stream/eventNode.ts';
import type { LiveHandover } from '../stream/eventSink.ts';
import { encodeResumeToken, type PositionMap } from '../stream/resumeToken.ts';
import { countDelivered, type StreamItem } from '../stream/streamItem.ts';
import type { StreamPositions } from '../stream/streamPositions.ts';
import type { FramePrefix, RenderGroup } from './renderGroup.ts';

/** What the live fan needs of a member's sink: its frame prefix, its backlog and a frame writer. */
export type FanSink = {
  prefix: FramePrefix;
  backlog(): number;
  /** Writes a rendered frame after the sink's earlier frames. */
  sendFrame(frame: Buffer | Promise<Buffer>): void;
};

/**
 * The shared live path of one render group: a single channel listener that deduplicates, filters
 * and renders each live message once for every live subscription of the operation, then writes the
 * frame to each. Per subscription only its backlog and, right after it joined, its own positions
 * are checked.
 */
export type LiveFan = {
  /**
   * Takes over a live stream's delivery: returns the function that ends it, or undefined when the
   * fan cannot take it (its channel subscription is not acknowledged yet, or failed). The first call
   * starts that subscription.
   */
  join(sink: FanSink, handover: LiveHandover): (() => void) | undefined;
  /** Streams delivered by the fan. */
  memberCount(): number;
  /** Whether the fan's channel subscription is acknowledged (it holds one channel listener). */
  listening(): boolean;
  /** Stops listening; members must have left. */
  close(): void;
};

/** Parameters of {@link createLiveFan}. */
export type CreateLiveFanParameters = { group: RenderGroup; logger: Logger };

type Member = {
  sink: FanSink;
  handover: LiveHandover;
  /**
   * Per source, a position the stream had seen beyond the fan's own when it joined (it was
   * subscribed before the fan); messages up to it were delivered by the stream already. Undefined
   * once every such position is passed (the usual case).
   */
  floors: Map<string, CursorParts> | undefined;
  /** What the stream had delivered when it joined. */
  base: PositionMap;
  /** The fan's delivery sequence when it joined: later journaled deliveries count for it. */
  joinSeq: number;
  lastCursor: string | null;
};

type Delivered = { cursor: string; seq: number };

/**
 * Creates the live fan of a render group. Every member receives, after it joined, exactly what its
 * own stream would have delivered: the fan subscribes to the same channels and sees every message
 * the members see (they subscribed earlier and are live: they have processed every message
 * dispatched so far), its positions never run ahead of a member's, and a member that had seen more
 * of a source than the fan keeps that position as a floor until the fan passes it.
 */
export function createLiveFan({ group, logger }: CreateLiveFanParameters): LiveFan {
  let state: 'idle' | 'subscribing' | 'ready' | 'failed' | 'closed' = 'idle';
  let channelsKey = '';
  let positions: StreamPositions<StreamItem> | undefined;
  let fromMessage: LiveHandover['fromMessage'] | undefined;
  let release: (() => Promise<void>) | undefined;
  let stopWatching: (() => void) | undefined;
  const members = new Set<Member>();
  // The members as an array, rebuilt after a change: a delivery loop never sees members come and
  // go under it, and many leaving at once cost one rebuild.
  let snapshot: Member[] | undefined;
  let seq = 0;
  /** Per source, the last journaled item the fan delivered. */
  const lastDelivered = new Map<string, Delivered>();

  const subscribe = (handover: LiveHandover): void => {
    state = 'subscribing';
    channelsKey = handover.channels.join('\n');
    positions = handover.createPositions();
    fromMessage = handover.fromMessage;
    stopWatching = handover.hub.onInterrupted(interrupted);
    handover.hub.listen(handover.channels, onMessage).then(
      (unlisten) => {
        if (state === 'closed') {
          void unlisten();
          return;
        }
        release = unlisten;
        state = 'ready';
      },
      (error: unknown) => {
        if (state === 'closed') return;
        state = 'failed';
        logger.warn({
          msg: 'Shared live delivery unavailable: subscriptions of this operation keep their own listeners',
          err: error,
        });
      },
    );
  };

  /** What the member has been delivered, plus `next` when given (the item being delivered). */
  const deliveredOf = (member: Member, next?: StreamItem): PositionMap => {
    const map: Record<string, string> = { ...member.base };
    for (const [key, { cursor, seq: at }] of lastDelivered) {
      if (at <= member.joinSeq) continue;
      // An item skipped below a member's floor is at or before what the member had delivered.
      const known = map[key];
      if (known === undefined || compareCursors(cursor, known) > 0) map[key] = cursor;
    }
    if (next?.cursor) map[next.key] = next.cursor;
    return map;
  };

  const nodeOf = (member: Member, item: StreamItem): EventNode => ({
    event: item.event,
    cursor: item.cursor,
    resumeToken: () => encodeResumeToken(deliveredOf(member, item)),
  });

  /** Whether a member still below a floor for the item's source takes it (and lifts passed floors). */
  const passesFloor = (member: Member, item: StreamItem): boolean => {
    const floors = member.floors!;
    const floor = floors.get(item.key);
    if (floor === undefined) return true;
    if (!positions!.isAfter(item, floor)) return false;
    if (item.at) {
      floors.delete(item.key);
      if (floors.size === 0) member.floors = undefined;
    }
    return true;
  };

  const render = (member: Member, item: StreamItem): Buffer | Promise<Buffer> => {
    try {
      return group.frame(nodeOf(member, item), item.shared, member.sink.prefix);
    } catch (error) {
      // The sink logs a failed render and keeps its backlog right.
      return Promise.reject(error);
    }
  };

  const deliver = (item: StreamItem): void => {
    if (members.size === 0) return;
    snapshot ??= [...members];
    const list = snapshot;
    // Subscribers with the same operation id get the very same frame while the selection does not
    // read the resume token (the render group then renders the message once).
    let shared: { prefix: string; frame: Buffer | Promise<Buffer> } | undefined;
    let slow: Member[] | undefined;
    let count = 0;
    for (const member of list) {
      if (member.floors !== undefined && !passesFloor(member, item)) continue;
      if (member.sink.backlog() >= member.handover.capacity) {
        slow ??= [];
        slow.push(member);
        continue;
      }
      let frame: Buffer | Promise<Buffer>;
      if (shared !== undefined && shared.prefix === member.sink.prefix.text) {
        frame = shared.frame;
      } else {
        frame = render(member, item);
        shared =
          item.shared !== undefined && group.isShared(item.shared)
            ? { prefix: member.sink.prefix.text, frame }
            : undefined;
      }
      member.sink.sendFrame(frame);
      if (item.cursor !== null) member.lastCursor = item.cursor;
      count += 1;
    }
    // Closed after the loop, with what they were delivered before this item.
    if (slow) {
      for (const member of slow) {
        member.handover.positions.adopt(deliveredOf(member), member.lastCursor);
        member.handover.slowConsumer();
      }
    }
    if (item.cursor !== null) {
      seq += 1;
      lastDelivered.set(item.key, { cursor: item.cursor, seq });
    }
    if (count > 0) {
      countDelivered('live', count);
      // Once per message: when its last subscriber was handed the frame.
      if (item.receivedAt !== undefined)
        gatewayMetrics.latency.observe((performance.now() - item.receivedAt) / 1000);
    }
  };

  /**
   * The Redis subscription was lost: every member ends with what the fan delivered to it, so its
   * resume token is exact. The fan stays; members that join later get what arrives from then on.
   */
  function interrupted(): void {
    snapshot ??= [...members];
    for (const member of snapshot) {
      member.handover.positions.adopt(deliveredOf(member), member.lastCursor);
      member.handover.interrupted();
    }
  }

  function onMessage(message: HubMessage): void {
    const item = fromMessage!(message);
    if (!item) {
      logger.warn({ msg: 'Dropped a malformed channel message', channel: message.channel });
      return;
    }
    // The fan's positions see every message, also while no member is live, so that joining
    // members rarely need floors.
    if (positions!.accept(item)) deliver(item);
  }

  return {
    join(sink, handover) {
      if (state === 'idle') subscribe(handover);
      if (state !== 'ready' || handover.channels.join('\n') !== channelsKey) return undefined;
      const own = positions!.seen();
      let floors: Map<string, CursorParts> | undefined;
      for (const [key, at] of handover.positions.seen()) {
        const fan = own.get(key);
        if (fan !== undefined && compareCursorParts(at, fan) <= 0) continue;
        floors ??= new Map();
        floors.set(key, at);
      }
      const member: Member = {
        sink,
        handover,
        floors,
        base: handover.positions.delivered(),
        joinSeq: seq,
        lastCursor: handover.positions.lastCursor(),
      };
      members.add(member);
      snapshot = undefined;
      return () => {
        if (members.delete(member)) snapshot = undefined;
      };
    },
    memberCount: () => members.size,
    listening: () => state === 'ready',
    close() {
      if (state === 'closed') return;
      state = 'closed';
      stopWatching?.();
      stopWatching = undefined;
      members.clear();
      snapshot = undefined;
      const current = release;
      release = undefined;
      current?.().catch((error: unknown) => logger.warn({ msg: 'Unsubscribe failed', err: error }));
    },
  };
}
