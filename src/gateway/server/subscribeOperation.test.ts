import { describe, expect, it } from 'vitest';
import type { GatewayContext, GatewayDelivery } from '../context.ts';
import {
  GraphQLError,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from '../graphqlJs.ts';
import type { EventSink } from '../stream/eventSink.ts';
import { subscribeOperation } from './subscribeOperation.ts';

type Source = AsyncIterableIterator<number> & { returned: boolean };

/** A stream of the given values; with a sink it hands them to the sink instead and never yields. */
function sourceOf(values: number[], sink: EventSink<number> | undefined): Source {
  let index = 0;
  const source: Source = {
    returned: false,
    async next() {
      if (sink) {
        for (const value of values) sink.send(value, undefined);
        return { done: true, value: undefined };
      }
      const value = values[index++];
      return value === undefined ? { done: true, value: undefined } : { done: false, value };
    },
    async return() {
      source.returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => source,
  };
  return source;
}

let lastSource: Source | undefined;
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      numbers: {
        type: GraphQLInt,
        args: { upTo: { type: GraphQLInt } },
        subscribe: (_root, args: { upTo: number }, ctx: GatewayContext) => {
          if (args.upTo < 0)
            throw new GraphQLError('upTo must not be negative', { extensions: { code: 'BAD' } });
          lastSource = sourceOf(
            Array.from({ length: args.upTo }, (_, i) => i + 1),
            ctx.delivery?.open() as EventSink<number> | undefined,
          );
          return lastSource;
        },
        resolve: (value: number) => {
          if (value === 13) throw new Error('unlucky');
          return value * 10;
        },
      },
    },
  }),
});

function delivery(): GatewayDelivery & { sent: number[] } {
  const sent: number[] = [];
  const sink = {
    send: (node: unknown) => void sent.push(node as number),
    backlog: () => 0,
    drained: async () => undefined,
    close: () => undefined,
  };
  const tracked = {
    sent,
    opened: false,
    open() {
      tracked.opened = true;
      return sink;
    },
  };
  return tracked as unknown as GatewayDelivery & { sent: number[] };
}

const contextWith = (d: GatewayDelivery | undefined) =>
  ({ services: undefined, viewer: undefined, delivery: d }) as unknown as GatewayContext;

async function collect(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const results: unknown[] = [];
  for await (const result of stream) results.push(result);
  return results;
}

describe('subscribeOperation', () => {
  it('executes each event of a stream that does not deliver by itself, like graphql-js', async () => {
    const stream = await subscribeOperation({
      schema,
      document: parse('subscription { numbers(upTo: 3) }'),
      contextValue: contextWith(undefined),
    });
    expect(await collect(stream as AsyncIterable<unknown>)).toEqual([
      { data: { numbers: 10 } },
      { data: { numbers: 20 } },
      { data: { numbers: 30 } },
    ]);
  });

  it('hands a stream that took the direct delivery to graphql-ws as it is', async () => {
    const direct = delivery();
    const stream = await subscribeOperation({
      schema,
      document: parse('subscription { numbers(upTo: 2) }'),
      contextValue: contextWith(direct),
    });
    expect(stream).toBe(lastSource);
    expect(await collect(stream as AsyncIterable<unknown>)).toEqual([]);
    expect(direct.sent).toEqual([1, 2]);
  });

  it('returns the error of the subscribe resolver as a result', async () => {
    const result = await subscribeOperation({
      schema,
      document: parse('subscription { numbers(upTo: -1) }'),
      contextValue: contextWith(delivery()),
    });
    expect(result).toMatchObject({ errors: [{ message: 'upTo must not be negative' }] });
  });

  it('passes field errors through as results and ends the source when returned', async () => {
    const stream = (await subscribeOperation({
      schema,
      document: parse('subscription { numbers(upTo: 20) }'),
      contextValue: contextWith(undefined),
    })) as AsyncIterableIterator<{ data: unknown; errors?: unknown[] }>;
    const results = [];
    for await (const result of stream) {
      results.push(result);
      if (results.length === 13) break;
    }
    expect(results.at(-1)).toMatchObject({ data: { numbers: null }, errors: [{ message: 'unlucky' }] });
    expect(lastSource?.returned).toBe(true);
  });
});
