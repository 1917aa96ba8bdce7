import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.ts';

/** One channel message, parsed once and shared by every listener of the channel. */
export type HubMessage = {
  channel: string;
  /** Parsed JSON payload; undefined when the payload was not JSON (logged once per message). */
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
  /** Resolves once Redis acknowledged the subscription, so nothing published afterwards is missed. */
  listen(channels: string[], listener: HubListener): Promise<() => Promise<void>>;
  /** Number of channels currently subscribed on Redis. */
  channelCount(): number;
  /** Number of listeners whose subscriptions Redis acknowledged and that were not released. */
  listenerCount(): number;
  close(): Promise<void>;
};

/** Parameters of {@link createChannelHub}. */
export type CreateChannelHubParameters = { subscriber: Redis; logger: Logger };

type ChannelState = { listeners: Set<HubListener>; subscribed: boolean };

/** Creates the pub/sub multiplexer on a dedicated subscriber connection. */
export function createChannelHub({ subscriber, logger }: CreateChannelHubParameters): ChannelHub {
  const channels = new Map<string, ChannelState>();
  // SUBSCRIBE/UNSUBSCRIBE of one channel are serialized so a quick leave/join never ends unsubscribed.
  const queues = new Map<string, Promise<void>>();
  let listeners = 0;

  const enqueue = (channel: string, task: () => Promise<void>): Promise<void> => {
    const previous = queues.get(channel) ?? Promise.resolve();
    const next = previous.then(task, task);
    queues.set(channel, next);
    void next.finally(() => {
      if (queues.get(channel) === next) queues.delete(channel);
    });
    return next;
  };

  const sync = (channel: string): Promise<void> =>
    enqueue(channel, async () => {
      const state = channels.get(channel);
      if (!state) return;
      if (state.listeners.size > 0 && !state.subscribed) {
        await subscriber.subscribe(channel);
        state.subscribed = true;
      } else if (state.listeners.size === 0) {
        if (state.subscribed) await subscriber.unsubscribe(channel);
        state.subscribed = false;
        if (state.listeners.size === 0) channels.delete(channel);
      }
    });

  subscriber.on('message', (channel: string, raw: string) => {
    const state = channels.get(channel);
    if (!state || state.listeners.size === 0) return;
    const receivedAt = performance.now();
    let payload: unknown;
    try {
      payload = JSON.parse(raw);
    } catch (error) {
      logger.warn({ msg: 'Dropped a channel message that is not JSON', channel, err: error });
      return;
    }
    const message: HubMessage = { channel, payload, receivedAt };
    for (const listener of state.listeners) {
      try {
        listener(message);
      } catch (error) {
        logger.error({ msg: 'Channel listener failed', channel, err: error });
      }
    }
  });

  return {
    async listen(list, listener) {
      const unique = [...new Set(list)];
      for (const channel of unique) {
        let state = channels.get(channel);
        if (!state) {
          state = { listeners: new Set(), subscribed: false };
          channels.set(channel, state);
        }
        state.listeners.add(listener);
      }
      let counted = false;
      let released = false;
      const release = async () => {
        if (released) return;
        released = true;
        if (counted) listeners -= 1;
        for (const channel of unique) channels.get(channel)?.listeners.delete(listener);
        await Promise.all(unique.map((channel) => sync(channel)));
      };
      try {
        await Promise.all(unique.map((channel) => sync(channel)));
      } catch (error) {
        await release().catch(() => undefined);
        throw error;
      }
      if (!released) {
        counted = true;
        listeners += 1;
      }
      return release;
    },
    channelCount: () => [...channels.values()].filter((state) => state.subscribed).length,
    listenerCount: () => listeners,
    async close() {
      channels.clear();
      await Promise.allSettled([...queues.values()]);
      subscriber.disconnect();
    },
  };
}
