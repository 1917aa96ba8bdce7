/**
 * A dApp following one listing over graphql-ws (`Market_ListingUpdated`), that goes away now and then
 * and comes back with `after` set to the cursor of the last update it received.
 */
import type { Client } from 'graphql-ws';
import { compareCursors } from '../../../src/domain/index.ts';
import { wsClient } from '../../gateway/support/clients.ts';
import { type ListingEntity, listingSelection } from './marketGraphql.ts';

const listingUpdated = `subscription ListingUpdated($chainId: Int!, $listingId: BigInt, $after: String) {
  Market_ListingUpdated(chainId: $chainId, listingId: $listingId, after: $after) {
    listingId
    deleted
    cursor
    entity { ${listingSelection} }
  }
}`;

/** One `Market_ListingUpdate` received. */
export type ListingUpdate = {
  listingId: string;
  deleted: boolean;
  cursor: string;
  entity: ListingEntity | null;
};

/** Parameters of {@link createListingSubscriber}. */
export type CreateListingSubscriberParameters = { wsUrl: string; chainId: number; listingId: bigint };

/** The subscriber; connected from the start. */
export type ListingSubscriber = {
  /** Every update received, over all connections, in arrival order. */
  updates: ListingUpdate[];
  /** Times it came back with `after`. */
  resumes(): number;
  connected(): boolean;
  /** Closes the connection (the client goes away). */
  disconnect(): void;
  /** Connects again with `after` = the cursor of the last update received. */
  resume(): void;
  /** The first error or completion the server caused, if any. */
  failure(): unknown;
  stop(): void;
};

/** Subscribes to the updates of one listing. */
export function createListingSubscriber({
  wsUrl,
  chainId,
  listingId,
}: CreateListingSubscriberParameters): ListingSubscriber {
  const updates: ListingUpdate[] = [];
  let client: Client | undefined;
  let resumes = 0;
  let failure: unknown;

  const connect = (after: string | undefined) => {
    const current = wsClient(wsUrl);
    client = current;
    current.subscribe<{ Market_ListingUpdated: ListingUpdate }>(
      { query: listingUpdated, variables: { chainId, listingId: listingId.toString(), after } },
      {
        next: (result) => {
          if (client !== current) return;
          const update = result.data?.Market_ListingUpdated;
          if (result.errors?.length || !update) failure ??= new Error(JSON.stringify(result));
          else updates.push(update);
        },
        error: (error) => {
          if (client === current) failure ??= error;
        },
        complete: () => {
          if (client === current) failure ??= new Error('the server completed the subscription');
        },
      },
    );
  };
  const disconnect = () => {
    const current = client;
    client = undefined;
    void current?.dispose();
  };

  connect(undefined);
  return {
    updates,
    resumes: () => resumes,
    connected: () => client !== undefined,
    disconnect,
    resume() {
      if (client) throw new Error('resume() while connected');
      resumes++;
      connect(updates.at(-1)?.cursor);
    },
    failure: () => failure,
    stop: disconnect,
  };
}

/** Cursors that do not increase strictly (a change seen twice or out of order), one line each. */
export function cursorOrderProblems(updates: ListingUpdate[]): string[] {
  const problems: string[] = [];
  for (let index = 1; index < updates.length; index++) {
    const previous = updates[index - 1]!.cursor;
    const cursor = updates[index]!.cursor;
    if (compareCursors(previous, cursor) >= 0)
      problems.push(`update ${index}: cursor ${cursor} after ${previous}`);
  }
  return problems;
}
