import { gatewayMetrics } from '../metrics.ts';

type ClosableIterator<T> = AsyncIterableIterator<T> & { return(): Promise<IteratorResult<T>> };

/** Counts a subscription in `blockwire_gateway_active_subscriptions` until its iterator ends. */
export function trackSubscription<T>(field: string, iterator: ClosableIterator<T>): ClosableIterator<T> {
  gatewayMetrics.subscriptions.inc({ field });
  let open = true;
  const end = () => {
    if (!open) return;
    open = false;
    gatewayMetrics.subscriptions.dec({ field });
  };
  const tracked: ClosableIterator<T> = {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return() {
      end();
      return iterator.return();
    },
    async throw(error: unknown) {
      end();
      await iterator.return();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return tracked;
    },
  };
  return tracked;
}
