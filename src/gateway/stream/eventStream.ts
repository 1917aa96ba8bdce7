import type { Redis } from 'ioredis';
import type { ChainEvent } from '../../domain/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { GraphQLError } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';
import type { EventNode } from './eventNode.ts';
import type { EventSink } from './eventSink.ts';
import { createJournalMerger, type JournalMerger } from './journalMerger.ts';
import { encodeResumeToken, type PositionMap } from './resumeToken.ts';
import { countDelivered, prepareItem, type StreamItem, toItem } from './streamItem.ts';
import {
  createStreamPositions,
  readStartPositions,
  type StreamSource,
  sourceKey,
} from './streamPositions.ts';

export type { StreamSource } from './streamPositions.ts';

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

/** The iterator a subscription resolver returns. */
export type EventStream = AsyncIterableIterator<EventNode> & {
  return(): Promise<IteratorResult<EventNode>>;
};

/**
 * Phases of a stream, in order; any of them can end in `done` (error, `return()`, slow consumer):
 *
 * - `starting`: reads the start positions (step 1), then SUBSCRIBEs (step 2). Messages received
 *   once the subscription is acknowledged are buffered.
 * - `replay`: the journals are read after the start positions, merged in cursor order, and
 *   delivered (step 3). Messages keep being buffered.
 * - `live`: the buffer is drained through the dedup (step 4): whatever the replay already
 *   delivered is dropped. From then on each message is delivered as it arrives.
 */
type Phase = 'starting' | 'replay' | 'live' | 'done';

type Waiter = { resolve: (result: IteratorResult<EventNode>) => void; reject: (error: unknown) => void };

/**
 * A subscription's event stream, gapless by construction: it fixes each contract's start (the given
 * position or the journal tip), subscribes to the channels (buffering), replays the journals after
 * the start, then drains the buffer and goes live (see {@link Phase}). Any message at or before a
 * contract's position is a duplicate and is dropped; journal ids only grow per contract, so this is
 * exact. A PENDING event of a block at or behind the position is stale and dropped too.
 *
 * The buffer is bounded: a client that lets `capacity` events pile up gets a `SLOW_CONSUMER` error
 * carrying the last cursor and resume token it received. `return()` releases everything at once.
 * With a `sink` (push mode) the same stream writes events straight to the sink, and the events
 * waiting in the sink's backlog are what is bounded.
 */
export function createEventStream(params: EventStreamParameters): EventStream {
  const { redis, hub, logger, capacity, filter, sink } = params;
  const positions = createStreamPositions((item) => filter(item.event));
  let phase: Phase = 'starting';
  /** Channel messages received before `live`, not yet deduplicated. */
  let buffer: StreamItem[] = [];
  /** Accepted live events the consumer has not pulled yet (pull mode, or push before the sink takes over). */
  let queue: StreamItem[] = [];
  let merger: JournalMerger | undefined;
  let failure: GraphQLError | undefined;
  let waiter: Waiter | undefined;
  let release: (() => Promise<void>) | undefined;
  // Push mode: set once the consumer pulled (the transport registered the operation) and the
  // replay is over; from then on accepted live events go straight to the sink.
  let pushing = false;
  const isDone = (): boolean => phase === 'done';

  // --- Ending ---------------------------------------------------------------------------------

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
    const resumeToken = encodeResumeToken(positions.delivered());
    fail(
      new GraphQLError(
        `Subscription closed: the client did not keep up and ${capacity} events were waiting. Resubscribe with after: the resumeToken in extensions.`,
        { extensions: { code: 'SLOW_CONSUMER', lastCursor: positions.lastCursor(), resumeToken } },
      ),
    );
  };

  // --- Delivering -----------------------------------------------------------------------------

  const toNode = (item: StreamItem, source: 'replay' | 'live'): EventNode => {
    const snapshot = positions.deliver(item);
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

  /** Queues an accepted live event until the consumer pulls it. */
  const enqueue = (item: StreamItem): void => {
    queue.push(item);
    if (queue.length > capacity) slowConsumer();
  };

  // --- Step 2: channel messages (buffered until live) -------------------------------------------

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
    if (!positions.accept(item)) return;
    if (pushing && sink) {
      push(sink, item, 'live');
    } else if (waiter) {
      const current = waiter;
      waiter = undefined;
      current.resolve(deliver(item, 'live'));
    } else {
      enqueue(item);
    }
  };

  // --- Steps 1 to 3: start positions, subscribe, open the replay ---------------------------------

  // Tips are read before subscribing and the journals replayed after them once subscribed: whatever
  // is appended in between is in the replay, whatever is published after SUBSCRIBE is buffered.
  const start = async (): Promise<void> => {
    positions.start(await readStartPositions(redis, params.sources, params.after));
    if (isDone()) return;
    release = await hub.listen(params.channels, onMessage);
    if (isDone()) {
      await releaseAll();
      return;
    }
    if (params.sources.length === 0) enterLive();
    else enterReplay();
  };

  const enterReplay = (): void => {
    merger = createJournalMerger({
      redis,
      pageSize: params.pageSize ?? 200,
      sources: params.sources.map((source) => ({
        key: sourceKey(source),
        journalKey: source.journalKey,
        from: positions.startOf(sourceKey(source)),
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

  /** Step 3: the next replayed event that passes the dedup and filter; undefined once exhausted. */
  const nextReplayed = async (): Promise<StreamItem | undefined> => {
    while (phase === 'replay' && merger) {
      const item = await merger.next();
      if (isDone() || !item) return undefined;
      const replayed = prepareItem(item.event, item.cursor, undefined, undefined);
      if (replayed && positions.accept(replayed)) return replayed;
    }
    return undefined;
  };

  /** Step 4: the buffered messages go through the dedup (dropping what the replay delivered). */
  const enterLive = (): void => {
    phase = 'live';
    merger = undefined;
    const pending = buffer;
    buffer = [];
    for (const item of pending) if (positions.accept(item)) queue.push(item);
    if (queue.length > capacity) slowConsumer();
  };

  const started = start();
  started.catch(() => undefined);

  const park = (): Promise<IteratorResult<EventNode>> =>
    new Promise((resolve, reject) => {
      waiter = { resolve, reject };
    });

  // --- Consumer side: pull mode and push mode --------------------------------------------------

  /** Pull mode: one replayed event, else one queued live event, else waits for the next one. */
  const pullNext = async (): Promise<IteratorResult<EventNode>> => {
    if (phase === 'replay') {
      const replayed = await nextReplayed();
      if (replayed) return deliver(replayed, 'replay');
      if (phase === 'replay') enterLive();
    }
    if (isDone()) return iterator.next();
    const item = queue.shift();
    if (item) return deliver(item, 'live');
    return park();
  };

  /**
   * Push mode: replays the journals into the sink (pausing while its backlog is full), then hands
   * it the queued live events and parks the consumer until the stream ends.
   */
  const pushAll = async (target: EventSink): Promise<IteratorResult<EventNode>> => {
    while (phase === 'replay') {
      const replayed = await nextReplayed();
      if (!replayed) {
        if (phase === 'replay') enterLive();
        break;
      }
      push(target, replayed, 'replay');
      if (target.backlog() >= capacity) await target.drained(Math.floor(capacity / 2));
    }
    if (phase === 'live') {
      pushing = true;
      const live = queue;
      queue = [];
      for (const item of live) {
        if (isDone()) break;
        push(target, item, 'live');
      }
    }
    if (isDone()) return iterator.next();
    return park();
  };

  const iterator: EventStream = {
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
      return sink ? pushAll(sink) : pullNext();
    },
    async return(): Promise<IteratorResult<EventNode>> {
      phase = 'done';
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
