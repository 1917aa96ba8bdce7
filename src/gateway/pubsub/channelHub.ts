import { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Logger } from '../../shared/logger.ts';
import type { PubSubMode, RedisClient } from '../../shared/redis.ts';
import { activeTracing } from '../../shared/telemetry/index.ts';
import { gatewayMetrics } from '../metrics.ts';
import { traceDelivery } from './traceDelivery.ts';
import { watchSubscriberConnection } from './watchSubscriberConnection.ts';

/** One channel message, parsed once and shared by every listener of the channel. */
export type HubMessage = {
  channel: string;
  /** Parsed JSON payload (a message that is not JSON is logged and reaches no listener). */
  payload: unknown;
  /** `performance.now()` at receipt, for delivery latency. */
  receivedAt: number;
};

/** Receives messages of one channel. */
export type HubListener = (message: HubMessage) => void;

/**
 * Multiplexes any number of in-process listeners over one Redis subscriber connection: a channel is
 * SUBSCRIBEd when its first listener arrives and UNSUBSCRIBEd when its last one leaves.
 */
export type ChannelHub = {
  /**
   * Resolves once Redis acknowledged the subscription of every channel, so nothing published
   * afterwards is missed; this holds for a listener joining a channel whose SUBSCRIBE is still in
   * flight too. Rejects (subscribing to nothing) when a SUBSCRIBE fails.
   */
  listen(channels: string[], listener: HubListener): Promise<() => Promise<void>>;
  /** Number of channels with at least one acknowledged listener. */
  channelCount(): number;
  /** Number of listeners whose subscriptions Redis acknowledged and that were not released. */
  listenerCount(): number;
  /**
   * Calls `callback` whenever the subscriber connection is lost: whatever is published until it is
   * subscribed again (ioredis does that on its own) never arrives. Returns the function that stops
   * the calls.
   */
  onInterrupted(callback: () => void): () => void;
  close(): Promise<void>;
};

/** Parameters of {@link createChannelHub}. */
export type CreateChannelHubParameters = {
  subscriber: RedisClient;
  logger: Logger;
  /**
   * `sharded`: channels are SSUBSCRIBEd (on a cluster, the subscriber must be created with
   * `shardedSubscribers`). Default `classic`.
   */
  pubsub?: PubSubMode;
};

/**
 * Creates the pub/sub multiplexer on a dedicated subscriber connection, built on
 * graphql-redis-subscriptions' `RedisPubSub`: it counts the references per channel, sends SUBSCRIBE
 * for the first and UNSUBSCRIBE after the last, makes a subscriber that arrives while the channel's
 * SUBSCRIBE is in flight wait for its acknowledgement, and hands each message (deserialized once) to
 * every listener of the channel. Commands of one connection are answered in order, so a quick
 * leave/join of a channel (UNSUBSCRIBE then SUBSCRIBE) always ends subscribed.
 *
 * The hub covers what `RedisPubSub` leaves open (see README "Pub/sub"):
 * - it never unsubscribes a subscription whose SUBSCRIBE is not settled (`RedisPubSub` would keep
 *   that id and fail on every later message of the channel);
 * - UNSUBSCRIBE/PUNSUBSCRIBE are sent without being awaited by `RedisPubSub`: the hub observes them
 *   (a failure is logged instead of becoming an unhandled rejection) and `close()` waits for them;
 * - a failed SUBSCRIBE rejects a promise of `RedisPubSub` that nobody awaits when the subscriber was
 *   alone (an unhandled rejection ends the process): the hub awaits it;
 * - a listener that throws is logged and does not keep the message from the other listeners.
 */
export function createChannelHub({
  subscriber,
  logger,
  pubsub: mode = 'classic',
}: CreateChannelHubParameters): ChannelHub {
  const sharded = mode === 'sharded';
  const inFlight = new Set<Promise<unknown>>();
  const observe = (command: string, reply: Promise<unknown>): Promise<unknown> => {
    const settled = reply.catch((error) => logger.warn({ msg: `Redis ${command} failed`, err: error }));
    inFlight.add(settled);
    void settled.finally(() => inFlight.delete(settled));
    return reply;
  };

  let pubsub: RedisPubSub;
  // What `RedisPubSub` sees as its subscriber: the connection, with the commands it sends without
  // awaiting them observed by the hub, and in sharded mode SSUBSCRIBE/SUNSUBSCRIBE for its
  // SUBSCRIBE/UNSUBSCRIBE (it never subscribes to patterns; its PUNSUBSCRIBE is dropped then).
  const connection = new Proxy(subscriber, {
    get(target, property) {
      if (property === 'unsubscribe') {
        return (...channels: string[]) =>
          sharded
            ? observe('SUNSUBSCRIBE', target.sunsubscribe(...channels))
            : observe('UNSUBSCRIBE', target.unsubscribe(...channels));
      }
      if (property === 'punsubscribe') {
        return (...channels: string[]) =>
          sharded ? Promise.resolve(0) : observe('PUNSUBSCRIBE', target.punsubscribe(...channels));
      }
      if (property === 'subscribe') {
        return (channel: string, callback: (error: Error | null, count?: unknown) => void) => {
          (sharded ? target.ssubscribe(channel) : target.subscribe(channel)).then(
            (count) => callback(null, count),
            (error: Error) => {
              // `RedisPubSub` rejects its shared pending promise next; joining it as a subscriber
              // (the documented coalescing of concurrent subscribes) gives that rejection a handler.
              pubsub.subscribe(channel, ignore).catch(() => undefined);
              callback(error);
            },
          );
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

  pubsub = new RedisPubSub({
    subscriber: connection,
    // The hub never publishes (the processor does); `RedisPubSub` wants a publisher anyway.
    publisher: connection,
    messageEventName: sharded ? 'smessageBuffer' : 'messageBuffer',
    pmessageEventName: 'pmessageBuffer',
    // Parsed once per message, whatever the number of listeners; `null` (not JSON) reaches none.
    deserializer: (raw, { channel }): HubMessage | null => {
      const receivedAt = performance.now();
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString());
      } catch (error) {
        logger.warn({ msg: 'Dropped a channel message that is not JSON', channel, err: error });
        return null;
      }
      const tracing = activeTracing();
      if (tracing) traceDelivery({ tracing, channel, payload, subscribers: acknowledged.get(channel) ?? 0 });
      return { channel, payload, receivedAt };
    },
  });

  const acknowledged = new Map<string, number>();
  let listeners = 0;
  let closed = false;

  const interruptionCallbacks = new Set<() => void>();
  const watch = watchSubscriberConnection(subscriber, mode, () => {
    if (closed) return;
    gatewayMetrics.subscriberInterruptions.inc();
    logger.warn({
      msg: 'Lost the Redis subscriber connection; closing the live subscriptions so their clients resume',
      subscriptions: interruptionCallbacks.size,
    });
    for (const callback of [...interruptionCallbacks]) {
      try {
        callback();
      } catch (error) {
        logger.error({ msg: 'Interruption listener failed', err: error });
      }
    }
  });

  const deliverTo =
    (listener: HubListener, channel: string) =>
    (message: HubMessage | null): void => {
      if (message === null) return;
      try {
        listener(message);
      } catch (error) {
        logger.error({ msg: 'Channel listener failed', channel, err: error });
      }
    };

  return {
    async listen(list, listener) {
      if (closed) throw new Error('The channel hub is closed');
      watch.attach();
      const unique = [...new Set(list)];
      const results = await Promise.allSettled(
        unique.map((channel) => pubsub.subscribe(channel, deliverTo(listener, channel))),
      );
      const subscriptions: Array<{ channel: string; id: number }> = [];
      results.forEach((result, index) => {
        if (result.status !== 'fulfilled') return;
        const channel = unique[index]!;
        subscriptions.push({ channel, id: result.value });
        acknowledged.set(channel, (acknowledged.get(channel) ?? 0) + 1);
      });
      let released = false;
      // Resolves once Redis answered the UNSUBSCRIBEs this release sent (for channels it was last on).
      const release = async (): Promise<void> => {
        if (released) return;
        released = true;
        const before = new Set(inFlight);
        for (const { channel, id } of subscriptions) {
          pubsub.unsubscribe(id);
          const left = (acknowledged.get(channel) ?? 1) - 1;
          if (left === 0) acknowledged.delete(channel);
          else acknowledged.set(channel, left);
        }
        await Promise.all([...inFlight].filter((reply) => !before.has(reply)));
      };
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) {
        await release();
        throw failed.reason;
      }
      listeners += 1;
      return async () => {
        if (released) return;
        listeners -= 1;
        await release();
      };
    },
    channelCount: () => acknowledged.size,
    listenerCount: () => listeners,
    onInterrupted(callback) {
      interruptionCallbacks.add(callback);
      return () => {
        interruptionCallbacks.delete(callback);
      };
    },
    async close() {
      closed = true;
      interruptionCallbacks.clear();
      await Promise.allSettled([...inFlight]);
      subscriber.disconnect();
    },
  };
}

function ignore(): void {}
