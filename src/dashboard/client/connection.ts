import { type Client, createClient, type FormattedExecutionResult } from 'graphql-ws';
import type { TypedDocumentString } from '../generated/graphql.ts';

/** Connection states shown in the header. */
export type ConnectionState = 'connecting' | 'connected' | 'closed';

/** Parameters of {@link connect}. */
export type ConnectParameters = {
  /** GraphQL WebSocket URL, e.g. `ws://localhost:4000/graphql`. */
  url: string;
  onState(state: ConnectionState): void;
};

/**
 * A graphql-ws client that never gives up: the dashboard is meant to stay open while the gateway
 * restarts, and graphql-ws re-subscribes every active subscription once it is back.
 */
export function connect({ url, onState }: ConnectParameters): Client {
  return createClient({
    url,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 5_000)));
    },
    on: {
      connecting: () => onState('connecting'),
      connected: () => onState('connected'),
      closed: () => onState('closed'),
    },
  });
}

/** The graphql-ws endpoint of the page's own origin, or the one named by `?endpoint=`. */
export function endpointUrl(location: Location): string {
  const override = new URLSearchParams(location.search).get('endpoint');
  if (override) return override;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/graphql`;
}

/** Runs a query over the WebSocket; rejects with the GraphQL errors (or close event) of a failed operation. */
export function request<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<T, V>,
  variables?: V,
): Promise<FormattedExecutionResult<T, unknown>> {
  return new Promise((resolve, reject) => {
    let result: FormattedExecutionResult<T, unknown> | undefined;
    client.subscribe<T>(
      { query: document.toString(), variables },
      {
        next: (value) => {
          result = value;
        },
        error: reject,
        complete: () =>
          result ? resolve(result) : reject(new Error('The operation completed without a result')),
      },
    );
  });
}

/** Subscribes with a typed document; returns the unsubscribe function. */
export function subscribe<T, V extends Record<string, unknown>>(
  client: Client,
  document: TypedDocumentString<T, V>,
  variables: V | undefined,
  sink: { next(data: T): void; error(error: unknown): void; complete?(): void },
): () => void {
  return client.subscribe<T>(
    { query: document.toString(), variables },
    {
      next: (value) => {
        if (value.data) sink.next(value.data);
        else if (value.errors) sink.error(value.errors);
      },
      error: sink.error,
      complete: () => sink.complete?.(),
    },
  );
}

/** A short human message for whatever graphql-ws rejected with (GraphQL errors, a CloseEvent or an Error). */
export function describeError(error: unknown): string {
  if (Array.isArray(error))
    return error.map((e) => (e as { message?: string }).message ?? String(e)).join('; ');
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const close = error as { code: number; reason: string };
    return `connection closed (${close.code}${close.reason ? `: ${close.reason}` : ''})`;
  }
  return error instanceof Error ? error.message : String(error);
}
