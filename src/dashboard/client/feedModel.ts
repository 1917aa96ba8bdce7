import type { DashboardFeedSubscription, EventStatus } from '../generated/graphql.ts';

/** One event as the dashboard feed receives it. */
export type FeedEvent = DashboardFeedSubscription['events'];

/** A feed row: the latest delivery of one event id plus every status it went through. */
export type FeedRow = {
  event: FeedEvent;
  /** Statuses in the order they arrived, e.g. PENDING, CONFIRMED. */
  history: EventStatus[];
  /** Status before the latest one, if any (REMOVED after CONFIRMED means a reorg deeper than confirmations). */
  previousStatus: EventStatus | undefined;
};

/** What {@link FeedModel.apply} changed. */
export type FeedChange = { kind: 'added' | 'updated' | 'unchanged'; row: FeedRow; evicted: FeedRow[] };

/** The live feed: rows by event id, newest first, bounded. */
export type FeedModel = {
  apply(event: FeedEvent): FeedChange;
  /** Rows, newest first. */
  rows(): FeedRow[];
  get(id: string): FeedRow | undefined;
};

/** Parameters of {@link createFeedModel}. */
export type CreateFeedModelParameters = { maxRows: number };

/**
 * Tracks events by id so that a PENDING event's later CONFIRMED or REMOVED delivery updates its row
 * instead of adding one; a new id goes on top and the oldest row falls off past `maxRows`.
 */
export function createFeedModel({ maxRows }: CreateFeedModelParameters): FeedModel {
  const byId = new Map<string, FeedRow>();
  // Oldest first, so evicting is a shift and adding a push.
  const order: string[] = [];
  return {
    apply(event) {
      const existing = byId.get(event.id);
      if (existing) {
        const last = existing.history[existing.history.length - 1];
        existing.event = event;
        // A replay after a resubscribe repeats the status it already had: nothing to show.
        if (last === event.status) return { kind: 'unchanged', row: existing, evicted: [] };
        existing.previousStatus = last;
        existing.history.push(event.status);
        return { kind: 'updated', row: existing, evicted: [] };
      }
      const row: FeedRow = { event, history: [event.status], previousStatus: undefined };
      byId.set(event.id, row);
      order.push(event.id);
      const evicted: FeedRow[] = [];
      while (order.length > maxRows) {
        const id = order.shift()!;
        const old = byId.get(id);
        byId.delete(id);
        if (old) evicted.push(old);
      }
      return { kind: 'added', row, evicted };
    },
    rows: () => order.map((id) => byId.get(id)!).reverse(),
    get: (id) => byId.get(id),
  };
}
