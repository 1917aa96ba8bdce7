import { parse, print } from 'graphql';
import type { Redis } from 'ioredis';
import { contractChannel, type EventChannelMessage, pendingChannel } from '../../../src/domain/index.ts';
import { wsClient } from '../../gateway/support/clients.ts';

/** Statuses each event id was delivered with, in the order one subscriber received them. */
export type StatusRecorder = {
  sequences: Map<string, string[]>;
  stop(): void;
};

/**
 * Subscribes one connection to every contract channel and pending channel of a chain, so the order
 * it sees is the order Redis published in, and records per id the statuses delivered.
 */
export async function recordStatuses(
  redis: Redis,
  keyPrefix: string,
  chainId: number,
): Promise<StatusRecorder> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  const sequences = new Map<string, string[]>();
  subscriber.on('pmessage', (_pattern: string, _channel: string, raw: string) => {
    const message = JSON.parse(raw) as EventChannelMessage;
    if (message.kind !== 'event') return;
    const { id, status } = message.event;
    const list = sequences.get(id);
    if (list) list.push(status);
    else sequences.set(id, [status]);
  });
  await subscriber.psubscribe(
    contractChannel(keyPrefix, chainId, '*'),
    pendingChannel(keyPrefix, chainId, '*'),
  );
  return { sequences, stop: () => subscriber.disconnect() };
}

/** A {@link StatusRecorder} fed by a GraphQL subscription, which can end early. */
export type SubscriberRecorder = StatusRecorder & {
  /** Why the subscription ended (an error, or completion by the server); undefined while it runs. */
  failure(): string | undefined;
};

const pendingEventsSubscription = parse(/* GraphQL */ `
  subscription PendingStatuses($filter: EventFilter) {
    events(filter: $filter, includePending: true) {
      id
      status
    }
  }
`);

/**
 * Subscribes over graphql-ws to `events` of a chain with `includePending` and records per id the
 * statuses the client receives, in order: what a dApp frontend following the pending stream sees.
 */
export function recordSubscribedStatuses(wsUrl: string, chainId: number): SubscriberRecorder {
  const client = wsClient(wsUrl);
  const sequences = new Map<string, string[]>();
  let failure: string | undefined;
  const dispose = client.subscribe<{ events: { id: string; status: string } }>(
    { query: print(pendingEventsSubscription), variables: { filter: { chainId } } },
    {
      next: (result) => {
        if (result.errors || !result.data) {
          failure ??= `result without data: ${JSON.stringify(result.errors)}`;
          return;
        }
        const { id, status } = result.data.events;
        const list = sequences.get(id);
        if (list) list.push(status);
        else sequences.set(id, [status]);
      },
      error: (error) => {
        failure ??= `subscription failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
      },
      complete: () => {
        failure ??= 'subscription completed by the server';
      },
    },
  );
  return {
    sequences,
    failure: () => failure,
    stop: () => {
      failure ??= 'stopped';
      dispose();
      void client.dispose();
    },
  };
}

/**
 * Ids whose CONFIRMED and REMOVED deliveries in `expected` (e.g. what Redis published) the
 * subscriber has not all received yet; a subscriber that started earlier must get every one.
 */
export function missingSettlements(
  expected: Map<string, string[]>,
  received: Map<string, string[]>,
): string[] {
  const settlements = (statuses: string[] | undefined) =>
    (statuses ?? []).filter((status) => status !== 'PENDING').join(' ');
  return [...expected]
    .filter(([id, statuses]) => settlements(statuses) !== settlements(received.get(id)))
    .map(([id]) => id);
}

/**
 * Breaches of the pending stream's promise: a PENDING delivered after the CONFIRMED of its id, or a
 * PENDING not followed by CONFIRMED or REMOVED of its id.
 */
export function pendingProblems(sequences: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [id, statuses] of sequences) {
    const confirmedAt = statuses.indexOf('CONFIRMED');
    if (confirmedAt >= 0 && statuses.indexOf('PENDING', confirmedAt) >= 0)
      problems.push(`${id}: PENDING after CONFIRMED (${statuses.join(' ')})`);
    const lastPending = statuses.lastIndexOf('PENDING');
    if (lastPending >= 0 && !statuses.slice(lastPending).some((s) => s === 'CONFIRMED' || s === 'REMOVED'))
      problems.push(`${id}: PENDING never followed by CONFIRMED or REMOVED (${statuses.join(' ')})`);
  }
  return problems;
}
