import { GraphQLError } from '../graphqlJs.ts';
import { gatewayMetrics } from '../metrics.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';

/** Parameters of {@link createChannelStream}. */
export type ChannelStreamParameters<T> = {
  hub: ChannelHub;
  channels: string[];
  /** Turns a message into a value to deliver, or undefined to skip it. */
  map: (message: HubMessage) => T | undefined;
  capacity: number;
};

/** A live-only stream of channel messages with a bounded buffer (no journal, no resume). */
export function createChannelStream<T>(params: ChannelStreamParameters<T>): AsyncIterableIterator<T> & {
  return(): Promise<IteratorResult<T>>;
} {
  let queue: T[] = [];
  let done = false;
  let failure: GraphQLError | undefined;
  let waiter: { resolve: (result: IteratorResult<T>) => void; reject: (error: unknown) => void } | undefined;
  let release: (() => Promise<void>) | undefined;

  const close = async () => {
    done = true;
    queue = [];
    const current = release;
    release = undefined;
    await current?.();
  };

  const started = params.hub
    .listen(params.channels, (message) => {
      if (done) return;
      const value = params.map(message);
      if (value === undefined) return;
      if (waiter) {
        const current = waiter;
        waiter = undefined;
        current.resolve({ done: false, value });
        return;
      }
      queue.push(value);
      if (queue.length > params.capacity) {
        gatewayMetrics.slowConsumers.inc();
        failure = new GraphQLError(
          `Subscription closed: the client did not keep up and ${params.capacity} messages were waiting.`,
          {
            extensions: { code: 'SLOW_CONSUMER' },
          },
        );
        void close();
      }
    })
    .then(async (unlisten) => {
      release = unlisten;
      if (done) await close();
    });
  started.catch(() => undefined);

  const iterator = {
    async next(): Promise<IteratorResult<T>> {
      if (failure) {
        const error = failure;
        failure = undefined;
        throw error;
      }
      await started;
      const value = queue.shift();
      if (value !== undefined) return { done: false, value };
      if (done) return { done: true, value: undefined };
      return new Promise<IteratorResult<T>>((resolve, reject) => {
        waiter = { resolve, reject };
      });
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
