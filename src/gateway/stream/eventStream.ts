import type { Redis } from 'ioredis';
import { type ChainEvent, type CursorParts, parseCursor } from '../../domain/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { GraphQLError } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';
import { contractKey } from '../schema/catalog.ts';
import type { EventNode } from './eventNode.ts';
import type { EventSink } from './eventSink.ts';
import { cursorExpired, findTrimmedStart } from './findTrimmedStart.ts';
import { createJournalMerger, type JournalMerger } from './journalMerger.ts';
import { encodeResumeToken, type PositionMap } from './resumeToken.ts';
import { compareParts, countDelivered, prepareItem, type StreamItem, toItem } from './streamItem.ts';

/** A contract whose journal backs the stream. */
export type StreamSource = { chainId: number; address: string; journalKey: string };

/** Parameters of {@link createEventStream}. */
export type EventStreamParameters = {
  redis: Redis;
  hub: ChannelHub;
  logger: Logger;
  /** Channels carrying `EventChannelMessage`s. */
  channels: string[];
  /** Journals of the contracts of the stream (for the start position and replay). */
  sources: StreamSource[];
  /**
   * Start after these per-contract positions (replaying the journals), or at the journals' current
   * tips (live only). Contracts missing from the map start at their tip.
   */
  after: PositionMap | undefined;
  /** Events that pass are delivered; the others only advance the positions. */
  filter: (event: ChainEvent) => boolean;
  /** Most events buffered for a client before it is closed as a slow consumer. */
  capacity: number;
  pageSize?: number;
  /**
   * Push mode: events go to this sink as soon as they are accepted (replay paced by its backlog),
   * and the iterator never yields a value; it ends on `return()` or throws the closing error.
   */
  sink?: EventSink;
};

/**
 * A subscription's event stream, gapless by construction: it fixes each contract's start (the given
 * position or the journal tip), subscribes to the channels (buffering), replays the journals after
 * the start, then drains the buffer and goes live. Any message at or before a contract's
 * position is a duplicate and is dropped; journal ids only grow per contract, so this is exact.
 *
 * The buffer is bounded: a client that lets `capacity` events pile up gets a `SLOW_CONSUMER` error
 * carrying the last cursor and resume token it received. `return()` releases everything at once.
 * With a `sink` (push mode) the same stream writes events straight to the sink, and the events
 * waiting in the sink's backlog are what is bounded.
 */
export function createEventStream(params: EventStreamParameters): AsyncIterableIterator<EventNode> & {
  return(): Promise<IteratorResult<EventNode>>;
} {
  const { redis, hub, logger, capacity, filter, sink } = params;
  const positions: Record<string, string> = {};
  const parsedPositions = new Map<string, CursorParts>();
  const setPosition = (key: string, cursor: string, at: CursorParts | undefined): void => {
    positions[key] = cursor;
    const parsed = at ?? parseCursor(cursor);
    if (parsed) parsedPositions.set(key, parsed);
  };
  let delivered: PositionMap = {};
  let lastCursor: string | null = null;
  let phase: 'starting' | 'replay' | 'live' | 'done' = 'starting';
  let buffer: StreamItem[] = [];
  let queue: StreamItem[] = [];
  let merger: JournalMerger | undefined;
  let failure: GraphQLError | undefined;
  let waiter:
    | { resolve: (result: IteratorResult<EventNode>) => void; reject: (error: unknown) => void }
    | undefined;
  let release: (() => Promise<void>) | undefined;
  // Push mode: set once the consumer pulled (the transport registered the operation) and the
  // replay is over; from then on accepted live events go straight to the sink.
  let pushing = false;

  const releaseAll = (): Promise<void> => {
    const current = release;
    release = undefined;
    buffer = [];
    queue = [];
    sink?.close();
    return current
      ? current().catch((error) => logger.warn({ msg: 'Unsubscribe failed', err: error }))
      : Promise.resolve();
  };

  const fail = (error: GraphQLError): void => {
    if (phase === 'done') return;
    phase = 'done';
    failure = error;
    void releaseAll();
    if (waiter) {
      const current = waiter;
      waiter = undefined;
      failure = undefined;
      current.reject(error);
    }
  };

  const slowConsumer = (): void => {
    gatewayMetrics.slowConsumers.inc();
    const resumeToken = encodeResumeToken(delivered);
    fail(
      new GraphQLError(
        `Subscription closed: the client did not keep up and ${capacity} events were waiting. Resubscribe with after: the resumeToken in extensions.`,
        { extensions: { code: 'SLOW_CONSUMER', lastCursor, resumeToken } },
      ),
    );
  };

  // Dedup and filter; advances the contract position of every journaled event it sees.
  const accept = (item: StreamItem): boolean => {
    if (item.cursor !== null && item.at) {
      const previous = parsedPositions.get(item.key);
      if (previous !== undefined && compareParts(item.at, previous) <= 0) return false;
      setPosition(item.key, item.cursor, item.at);
    }
    return filter(item.event);
  };

  const toNode = (item: StreamItem, source: 'replay' | 'live'): EventNode => {
    if (item.cursor !== null) {
      delivered = { ...delivered, [item.key]: item.cursor };
      lastCursor = item.cursor;
    }
    const snapshot = delivered;
    countDelivered(source);
    if (item.receivedAt !== undefined)
      gatewayMetrics.latency.observe((performance.now() - item.receivedAt) / 1000);
    // A bound function: no closure to create (and name, under tsx) per delivery.
    return { event: item.event, cursor: item.cursor, resumeToken: encodeResumeToken.bind(null, snapshot) };
  };

  const deliver = (item: StreamItem, source: 'replay' | 'live'): IteratorResult<EventNode> => ({
    done: false,
    value: toNode(item, source),
  });

  // A live event that would make more than `capacity` frames wait is not sent: the subscription
  // closes and its last cursor is the last event written before.
  const push = (target: EventSink, item: StreamItem, source: 'replay' | 'live'): void => {
    if (source === 'live' && target.backlog() >= capacity) {
      slowConsumer();
      return;
    }
    target.send(toNode(item, source), item.shared);
  };

  const flushQueue = (target: EventSink): void => {
    const pending = queue;
    queue = [];
    for (const item of pending) {
      if (phase === 'done') return;
      push(target, item, 'live');
    }
  };

  const onMessage = (message: HubMessage): void => {
    if (phase === 'done') return;
    const item = toItem(message);
    if (!item) {
      logger.warn({ msg: 'Dropped a malformed channel message', channel: message.channel });
      return;
    }
    if (phase !== 'live') {
      buffer.push(item);
      if (buffer.length > capacity) slowConsumer();
      return;
    }
    if (!accept(item)) return;
    if (pushing && sink) {
      push(sink, item, 'live');
      return;
    }
    if (waiter) {
      const current = waiter;
      waiter = undefined;
      current.resolve(deliver(item, 'live'));
      return;
    }
    queue.push(item);
    if (queue.length > capacity) slowConsumer();
  };

  // Tips are read before subscribing and the journals replayed after them once subscribed: whatever
  // is appended in between is in the replay, whatever is published after SUBSCRIBE is buffered.
  const start = async (): Promise<void> => {
    const keyOf = (source: StreamSource) => contractKey(source.chainId, source.address);
    const missing = params.sources.filter((source) => params.after?.[keyOf(source)] === undefined);
    const tips = await Promise.all(
      missing.map((source) => redis.xrevrange(source.journalKey, '+', '-', 'COUNT', 1)),
    );
    missing.forEach((source, index) => {
      setPosition(keyOf(source), tips[index]?.[0]?.[0] ?? '0-0', undefined);
    });
    for (const [key, cursor] of Object.entries(params.after ?? {})) setPosition(key, cursor, undefined);
    // Resuming across a trimmed part of a journal would silently skip events: refuse instead.
    for (const source of params.sources) {
      const after = params.after?.[keyOf(source)];
      if (after === undefined) continue;
      const oldest = await findTrimmedStart(redis, source.journalKey, after);
      if (oldest !== undefined) throw cursorExpired(source.address, after, oldest);
    }
    delivered = { ...positions };
    if ((phase as string) === 'done') return;
    release = await hub.listen(params.channels, onMessage);
    if (phase === 'done') {
      await releaseAll();
      return;
    }
    if (params.sources.length === 0) {
      goLive();
      return;
    }
    merger = createJournalMerger({
      redis,
      pageSize: params.pageSize ?? 200,
      sources: params.sources.map((source) => ({
        key: keyOf(source),
        journalKey: source.journalKey,
        from: positions[keyOf(source)]!,
      })),
      onInvalid: (source, id, reason) =>
        logger.warn({
          msg: 'Skipped a journal entry that does not decode',
          journal: source.journalKey,
          id,
          reason,
        }),
    });
    phase = 'replay';
  };

  const goLive = (): void => {
    phase = 'live';
    const pending = buffer;
    buffer = [];
    for (const item of pending) if (accept(item)) queue.push(item);
    if (queue.length > capacity) slowConsumer();
  };

  const started = start();
  started.catch(() => undefined);

  // Push mode: replays the journals into the sink (pausing while its backlog is full), then goes
  // live and parks the consumer until the stream ends.
  const pushAll = async (target: EventSink): Promise<IteratorResult<EventNode>> => {
    while (phase === 'replay' && merger) {
      const item = await merger.next();
      if ((phase as string) === 'done') break;
      if (!item) {
        goLive();
        break;
      }
      const replayed = prepareItem(item.event, item.cursor, undefined, undefined);
      if (!replayed || !accept(replayed)) continue;
      push(target, replayed, 'replay');
      if (target.backlog() >= capacity) await target.drained(Math.floor(capacity / 2));
    }
    if (phase === 'live') {
      pushing = true;
      flushQueue(target);
    }
    if ((phase as string) === 'done') return iterator.next();
    return new Promise((resolve, reject) => {
      waiter = { resolve, reject };
    });
  };

  const iterator = {
    async next(): Promise<IteratorResult<EventNode>> {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      if (phase === 'done') return { done: true, value: undefined };
      try {
        await started;
      } catch (error) {
        phase = 'done';
        await releaseAll();
        throw error;
      }
      if (sink) return pushAll(sink);
      while (phase === 'replay' && merger) {
        const item = await merger.next();
        if ((phase as string) === 'done') return iterator.next();
        if (!item) {
          goLive();
          break;
        }
        const replayed = prepareItem(item.event, item.cursor, undefined, undefined);
        if (replayed && accept(replayed)) return deliver(replayed, 'replay');
      }
      if ((phase as string) === 'done') return iterator.next();
      const item = queue.shift();
      if (item) return deliver(item, 'live');
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    async return(): Promise<IteratorResult<EventNode>> {
      if (phase !== 'done') phase = 'done';
      failure = undefined;
      if (waiter) {
        const current = waiter;
        waiter = undefined;
        current.resolve({ done: true, value: undefined });
      }
      await releaseAll();
      return { done: true, value: undefined };
    },
    async throw(error: unknown): Promise<IteratorResult<EventNode>> {
      await iterator.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
