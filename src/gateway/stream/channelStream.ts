import { GraphQLError } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';
import type { EventSink } from './eventSink.ts';

/** Parameters of {@link createChannelStream}. */
export type ChannelStreamParameters<T> = {
  hub: ChannelHub;
  channels: string[];
  /** Turns a message into a value to deliver, or undefined to skip it. */
  map: (message: HubMessage) => T | undefined;
  capacity: number;
  /**
   * Push mode: each value goes to this sink as its message arrives (the sink renders it once for
   * every identical subscription, with the message as the shared key), the sink's backlog is what
   * is bounded, and the iterator never yields: it ends on `return()` or throws the closing error.
   */
  sink?: EventSink<T & object>;
};

/**
 * A live-only stream of channel messages with a bounded buffer (no journal, no resume): a client
 * that lets `capacity` values pile up gets a `SLOW_CONSUMER` error.
 */
export function createChannelStream<T>(params: ChannelStreamParameters<T>): AsyncIterableIterator<T> & {
  return(): Promise<IteratorResult<T>>;
} {
  const { sink, capacity } = params;
  let queue: T[] = [];
  let done = false;
  let failure: GraphQLError | undefined;
  let waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  let release: (() => Promise<void>) | undefined;

  const close = async () => {
    done = true;
    queue = [];
    sink?.close();
    const current = release;
    release = undefined;
    await current?.();
  };

  const slowConsumer = () => {
    gatewayMetrics.slowConsumers.inc();
    const error = new GraphQLError(
      `Subscription closed: the client did not keep up and ${capacity} messages were waiting.`,
      { extensions: { code: 'SLOW_CONSUMER' } },
    );
    void close();
    if (waiter) {
      const current = waiter;
      waiter = undefined;
      current.reject(error);
    } else {
      failure = error;
    }
  };

  const started = params.hub
    .listen(params.channels, (message) => {
      if (done) return;
      const value = params.map(message);
      if (value === undefined) return;
      if (sink) {
        if (sink.backlog() >= capacity) slowConsumer();
        else sink.send(value as T & object, message);
        return;
      }
      if (waiter) {
        const current = waiter;
        waiter = undefined;
        current.resolve({ done: false, value });
        return;
      }
      queue.push(value);
      if (queue.length > capacity) slowConsumer();
    })
    .then(async (unlisten) => {
      release = unlisten;
      if (done) await close();
    });
  started.catch(() => undefined);

  const park = () =>
    new Promise<IteratorResult<T>>((resolve, reject) => {
      waiter = { resolve, reject };
    });

  const iterator = {
    async next(): Promise<IteratorResult<T>> {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      await started;
      if (sink) return done ? { done: true, value: undefined } : park();
      const value = queue.shift();
      if (value !== undefined) return { done: false, value };
      if (done) return { done: true, value: undefined };
      return park();
    },
    async return(): Promise<IteratorResult<T>> {
      if (waiter) {
        const current = waiter;
        waiter = undefined;
        current.resolve({ done: true, value: undefined });
      }
      await close();
      return { done: true, value: undefined };
    },
    async throw(error: unknown): Promise<IteratorResult<T>> {
      await iterator.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
