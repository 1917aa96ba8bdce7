import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, type ExecutionResult, print } from 'graphql';
import { createClient as createSseClient } from 'graphql-sse';
import { type Client, createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A running subscription collecting its results. */
export type Collector<T> = {
  results: ExecutionResult<T>[];
  /** The `data` of every result, in order. */
  data(): T[];
  /** Settles when the server completes or errors the subscription. */
  ended: Promise<{ error?: unknown }>;
  /** Resolves once `count` results arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
};

function collector<T>(
  start: (sink: {
    next: (value: ExecutionResult<T>) => void;
    error: (error: unknown) => void;
    complete: () => void;
  }) => () => void,
): Collector<T> {
  const results: ExecutionResult<T>[] = [];
  const waiters: Array<() => void> = [];
  let endedResolve: (value: { error?: unknown }) => void = () => undefined;
  const ended = new Promise<{ error?: unknown }>((resolve) => {
    endedResolve = resolve;
  });
  let finished = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const dispose = start({
    next: (value) => {
      results.push(value);
      wake();
    },
    error: (error) => {
      finished = true;
      endedResolve({ error });
      wake();
    },
    complete: () => {
      finished = true;
      endedResolve({});
      wake();
    },
  });
  const data = () => results.map((result) => result.data as T);
  return {
    results,
    data,
    ended,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (results.length < count) {
        if (finished) throw new Error(`Subscription ended after ${results.length} of ${count} results`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`Timed out with ${results.length} of ${count} results`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return data().slice(0, count);
    },
    stop: () => dispose(),
  };
}

/** A graphql-ws client on Node (`ws`), failing fast instead of retrying. */
export function wsClient(url: string, connectionParams?: Record<string, unknown>): Client {
  return createWsClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionParams,
  });
}

/** Subscribes over graphql-ws and collects results. */
// An untyped DocumentNode gives `any` data (T defaults); a generated typed document gives its type.
// biome-ignore lint/suspicious/noExplicitAny: default for untyped documents
export function subscribeWs<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
  client: Client,
  document: TypedDocumentNode<T, V> | DocumentNode,
  variables: V,
): Collector<T> {
  return collector<T>((sink) =>
    client.subscribe<T>(
      { query: print(document), variables },
      {
        next: (value) => sink.next(value as ExecutionResult<T>),
        error: sink.error,
        complete: sink.complete,
      },
    ),
  );
}

/** Subscribes over SSE (graphql-sse client, distinct connections mode) and collects results. */
// biome-ignore lint/suspicious/noExplicitAny: default for untyped documents
export function subscribeSse<T = any, V extends Record<string, unknown> = Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<T, V> | DocumentNode,
  variables: V,
  headers?: Record<string, string>,
): Collector<T> {
  const client = createSseClient({ url, singleConnection: false, retryAttempts: 0, headers });
  return collector<T>((sink) => {
    const dispose = client.subscribe<T>(
      { query: print(document), variables },
      {
        next: (value) => sink.next(value as ExecutionResult<T>),
        error: sink.error,
        complete: sink.complete,
      },
    );
    return () => {
      dispose();
      client.dispose();
    };
  });
}

/** POSTs a GraphQL operation and returns the parsed JSON body and status. */
export async function postGraphql<T, V>(
  url: string,
  document: TypedDocumentNode<T, V> | string,
  variables?: V,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: ExecutionResult<T> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify({ query: typeof document === 'string' ? document : print(document), variables }),
  });
  return { status: response.status, body: (await response.json()) as ExecutionResult<T> };
}

/** Polls `condition` until it holds (no fixed sleeps in tests). */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
