import type { Logger } from '../../shared/logger.ts';
import type { RedisClient } from '../../shared/redis.ts';
import { GraphQLError } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';
import type { EventSink } from './eventSink.ts';
import { createJournalMerger, type DecodeJournalEntry, type JournalMerger } from './journalMerger.ts';
import type { PositionMap } from './resumeToken.ts';
import type { PositionedItem } from './streamItem.ts';
import { readStartPositions, type StreamPositions, type StreamSource, sourceKey } from './streamPositions.ts';

/**
 * What a slow consumer's error says: what was waiting (`events`), how to resume, and the extensions
 * it carries for that.
 */
export type ResumeHint = { items: string; message: string; extensions: Record<string, unknown> };

/**
 * Parameters of {@link createJournalStream}: where the items come from (channels and journals),
 * how they decode, and how a delivered item becomes the node the subscription resolves.
 */
export type JournalStreamParameters<I extends PositionedItem, N> = {
  redis: RedisClient;
  hub: ChannelHub;
  logger: Logger;
  /** Channels carrying the live items. */
  channels: string[];
  /** Journals of the stream (for the start positions and the replay). */
  sources: StreamSource[];
  /**
   * Start after these per-source positions (replaying the journals), or at the journals' current
   * tips (live only). Sources missing from the map start at their tip.
   */
  after: PositionMap | undefined;
  /** The item of a channel message; undefined when it is malformed (logged and dropped). */
  fromMessage: (message: HubMessage) => I | undefined;
  /** The item of a journal entry. */
  fromEntry: DecodeJournalEntry<I>;
  /** Dedup and filter (see `createStreamPositions`). */
  positions: StreamPositions<I>;
  /** The node delivered for an item, given the positions valid after it. */
  toNode: (item: I, delivered: PositionMap, source: 'replay' | 'live') => N;
  /** How a client closed as a slow consumer resumes, from what it was delivered. */
  resumeHint: (positions: StreamPositions<I>) => ResumeHint;
  /** Most items buffered for a client before it is closed as a slow consumer. */
  capacity: number;
  pageSize?: number;
  /**
   * Push mode: nodes go to this sink as soon as they are accepted (replay paced by its backlog),
   * and the iterator never yields a value; it ends on `return()` or throws the closing error.
   */
  sink?: EventSink<N>;
  /**
   * Push mode: offers the live stream to a shared live path (see `EventSink.joinLive`), given the
   * stream's positions, capacity and slow-consumer exit. Once it accepts, the stream stops listening
   * and the shared path delivers; until then the stream offers again with each live message.
   */
  joinLive?: (member: LiveMember<I>) => boolean;
};

/** What a stream going live offers a shared live path ({@link JournalStreamParameters.joinLive}). */
export type LiveMember<I extends PositionedItem> = {
  positions: StreamPositions<I>;
  capacity: number;
  slowConsumer: () => void;
  /** Ends the stream because the Redis subscription was lost (its positions are up to date). */
  interrupted: () => void;
};

/** The iterator a subscription resolver returns. */
export type JournalStream<N> = AsyncIterableIterator<N> & {
  return(): Promise<IteratorResult<N>>;
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

type Waiter<N> = { resolve: (result: IteratorResult<N>) => void; reject: (error: unknown) => void };

/**
 * A subscription's stream of journaled items (events, entity changes), gapless by construction: it
 * fixes each source's start (the given position or the journal tip), subscribes to the channels
 * (buffering), replays the journals after the start, then drains the buffer and goes live (see
 * {@link Phase}). Any message at or before a source's position is a duplicate and is dropped;
 * journal ids only grow per source, so this is exact.
 *
 * The buffer is bounded: a client that lets `capacity` items pile up gets a `SLOW_CONSUMER` error
 * carrying what it needs to resume ({@link JournalStreamParameters.resumeHint}). `return()`
 * releases everything at once. With a `sink` (push mode) the same stream writes nodes straight to
 * the sink, and the nodes waiting in the sink's backlog are what is bounded.
 */
export function createJournalStream<I extends PositionedItem, N>(
  params: JournalStreamParameters<I, N>,
): JournalStream<N> {
  // Closures below read these, never `params`: an idle subscription keeps no copy of it.
  const { redis, hub, logger, capacity, positions, sink, sources, channels } = params;
  const { fromMessage, fromEntry, toNode: nodeOf, resumeHint, joinLive } = params;
  const pageSize = params.pageSize ?? 200;
  let after = params.after;
  let phase: Phase = 'starting';
  /** Channel messages received before `live`, not yet deduplicated. */
  let buffer: I[] = [];
  /** Accepted live items the consumer has not pulled yet (pull mode, or push before the sink takes over). */
  let queue: I[] = [];
  let merger: JournalMerger<I> | undefined;
  let failure: GraphQLError | undefined;
  let waiter: Waiter<N> | undefined;
  let release: (() => Promise<void>) | undefined;
  let stopWatching: (() => void) | undefined;
  // Push mode: set once the consumer pulled (the transport registered the operation) and the
  // replay is over; from then on accepted live items go straight to the sink.
  let pushing = false;
  // Push mode: set once a shared live path took the stream over (the stream no longer listens).
  let joined = false;
  let offerScheduled = false;
  const isDone = (): boolean => phase === 'done';

  // --- Ending ---------------------------------------------------------------------------------

  const releaseAll = (): Promise<void> => {
    stopWatching?.();
    stopWatching = undefined;
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
    const hint = resumeHint(positions);
    fail(
      new GraphQLError(
        `Subscription closed: the client did not keep up and ${capacity} ${hint.items} were waiting. ${hint.message}`,
        { extensions: { code: 'SLOW_CONSUMER', ...hint.extensions } },
      ),
    );
  };

  // The Redis subscription was lost: messages published meanwhile never arrive, so the stream cannot
  // stay gapless. It closes with what the client needs to resume, as for a slow consumer.
  const interrupt = (): void => {
    const hint = resumeHint(positions);
    fail(
      new GraphQLError(
        `Subscription closed: the gateway lost its Redis subscription, so ${hint.items} published meanwhile did not reach it. ${hint.message}`,
        { extensions: { code: 'SUBSCRIPTION_INTERRUPTED', ...hint.extensions } },
      ),
    );
  };
  // Once joined, the shared live path knows what it delivered and ends the stream itself.
  const interrupted = (): void => {
    if (!joined) interrupt();
  };

  // --- Delivering -----------------------------------------------------------------------------

  const toNode = (item: I, source: 'replay' | 'live'): N => nodeOf(item, positions.deliver(item), source);

  const deliver = (item: I, source: 'replay' | 'live'): IteratorResult<N> => ({
    done: false,
    value: toNode(item, source),
  });

  // A live item that would make more than `capacity` frames wait is not sent: the subscription
  // closes and its last cursor is the last item written before.
  const push = (target: EventSink<N>, item: I, source: 'replay' | 'live'): void => {
    if (source === 'live' && target.backlog() >= capacity) {
      slowConsumer();
      return;
    }
    target.send(toNode(item, source), item.shared);
  };

  /** Queues an accepted live item until the consumer pulls it. */
  const enqueue = (item: I): void => {
    queue.push(item);
    if (queue.length > capacity) slowConsumer();
  };

  // --- Step 2: channel messages (buffered until live) -------------------------------------------

  /**
   * Offers the live stream to the shared live path. Must run outside a channel message's dispatch:
   * then the stream and the shared path have both handled every message dispatched so far (what
   * the shared path relies on; a PENDING item carries no position to tell a repeat by).
   */
  const offerLive = (): void => {
    offerScheduled = false;
    if (joined || !pushing || phase !== 'live' || !joinLive) return;
    if (!joinLive({ positions, capacity, slowConsumer, interrupted: interrupt })) return;
    joined = true;
    const current = release;
    release = undefined;
    current?.().catch((error) => logger.warn({ msg: 'Unsubscribe failed', err: error }));
  };

  const onMessage = (message: HubMessage): void => {
    if (phase === 'done' || joined) return;
    const item = fromMessage(message);
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
      // After the dispatch of this message to every listener (microtasks never run inside it).
      if (!joined && !offerScheduled && joinLive) {
        offerScheduled = true;
        queueMicrotask(offerLive);
      }
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
    const from = after;
    after = undefined;
    positions.start(await readStartPositions(redis, sources, from));
    if (isDone()) return;
    release = await hub.listen(channels, onMessage);
    // Kept after the stream hands its live delivery to a shared path (which releases the listener).
    stopWatching = hub.onInterrupted(interrupted);
    if (isDone()) {
      await releaseAll();
      return;
    }
    if (sources.length === 0) enterLive();
    else enterReplay();
  };

  const enterReplay = (): void => {
    merger = createJournalMerger({
      redis,
      pageSize,
      decode: fromEntry,
      sources: sources.map((source) => ({
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

  /** Step 3: the next replayed item that passes the dedup and filter; undefined once exhausted. */
  const nextReplayed = async (): Promise<I | undefined> => {
    while (phase === 'replay' && merger) {
      const entry = await merger.next();
      if (isDone() || !entry) return undefined;
      if (positions.accept(entry.value)) return entry.value;
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

  const park = (): Promise<IteratorResult<N>> =>
    new Promise((resolve, reject) => {
      waiter = { resolve, reject };
    });

  // --- Consumer side: pull mode and push mode --------------------------------------------------

  /** Pull mode: one replayed item, else one queued live item, else waits for the next one. */
  const pullNext = async (): Promise<IteratorResult<N>> => {
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
   * it the queued live items and parks the consumer until the stream ends.
   */
  const pushAll = async (target: EventSink<N>): Promise<IteratorResult<N>> => {
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
      // A continuation of `next()`: never inside a message's dispatch.
      offerLive();
    }
    if (isDone()) return iterator.next();
    return park();
  };

  const iterator: JournalStream<N> = {
    async next(): Promise<IteratorResult<N>> {
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
    async return(): Promise<IteratorResult<N>> {
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
    async throw(error: unknown): Promise<IteratorResult<N>> {
      await iterator.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
