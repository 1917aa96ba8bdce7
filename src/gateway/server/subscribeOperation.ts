import type { GatewayContext } from '../context.ts';
import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute } from '../graphqlJs.ts';

type EventStream = AsyncIterableIterator<ExecutionResult>;

/**
 * graphql-js `subscribe`, minus the mapping layer when the event stream delivers by itself: a stream
 * that opened the context's direct delivery (push mode) writes its frames to the socket and never
 * yields, so it is handed to graphql-ws as it is, and an idle subscription keeps no iterator, closures
 * or pending promise of a mapping around it. Other streams get each event executed as graphql-js
 * does (`mapEvents`). Errors of the subscribe resolver come back as a result, as from graphql-js.
 */
export async function subscribeOperation(args: ExecutionArgs): Promise<EventStream | ExecutionResult> {
  const stream: unknown = await createSourceEventStream(args);
  if (typeof (stream as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function')
    return stream as ExecutionResult;
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  if ((args.contextValue as GatewayContext | undefined)?.delivery?.opened)
    return iterator as unknown as EventStream;
  return mapEvents(iterator, args);
}

/** Each event of `source` executed as the operation's root value (graphql-js's mapping, same semantics). */
function mapEvents(source: AsyncIterator<unknown>, args: ExecutionArgs): EventStream {
  const close = async () => {
    try {
      await source.return?.();
    } catch {
      // The execution error below is the one to report.
    }
  };
  const toResult = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return step;
    try {
      return { done: false, value: await execute({ ...args, rootValue: step.value }) };
    } catch (error) {
      await close();
      throw error;
    }
  };
  const mapped: EventStream = {
    next: async () => toResult(await source.next()),
    return: async () => (source.return ? toResult(await source.return()) : { done: true, value: undefined }),
    async throw(error: unknown) {
      if (source.throw) return toResult(await source.throw(error));
      await close();
      throw error;
    },
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}
