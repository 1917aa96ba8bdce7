import type { Cluster, Redis } from 'ioredis';
import type { PubSubMode, RedisClient } from '../../shared/redis.ts';

/** What {@link watchSubscriberConnection} returns. */
export type SubscriberWatch = {
  /** Starts watching the connection in use now, if not watched yet (cheap; call it before subscribing). */
  attach(): void;
};

/** ioredis's (internal) subscriber of a cluster: the connection it uses now. */
type ClusterSubscriber = { getInstance(): Redis | null | undefined };

/** ioredis's (internal) sharded subscribers of a cluster: one per master, replaced after a failure. */
type ShardedSubscriberGroup = { shardedSubscribers?: Map<string, ClusterSubscriber> };

/**
 * Calls `onLost` each time a connection that receives the subscriptions' messages closes after it
 * was ready:
 * - on one server, the client itself (it reconnects and subscribes again);
 * - on a cluster with classic pub/sub, the connection ioredis's cluster subscriber keeps to one node,
 *   replaced by one to another node when it ends; each replacement is watched in turn;
 * - on a cluster with sharded pub/sub, each master's sharded subscriber connection; ioredis replaces
 *   a lost one (and subscribes it again) after refreshing the slot map, and the replacement is
 *   watched as soon as it is created; a slot moved to another master counts as lost too (see
 *   `watchMovedSlots`).
 */
export function watchSubscriberConnection(
  subscriber: RedisClient,
  pubsub: PubSubMode,
  onLost: () => void,
): SubscriberWatch {
  const watched = new WeakSet<Redis>();
  const watchConnection = (connection: Redis, onEnd?: () => void): void => {
    if (watched.has(connection)) return;
    watched.add(connection);
    let ready = connection.status === 'ready';
    connection.on('ready', () => {
      ready = true;
    });
    connection.on('close', () => {
      if (!ready) return;
      ready = false;
      onLost();
    });
    if (onEnd) connection.once('end', onEnd);
  };

  if (!subscriber.isCluster) {
    watchConnection(subscriber as Redis);
    return { attach() {} };
  }
  if (pubsub === 'sharded') {
    const group = (subscriber as unknown as { shardedSubscribers?: ShardedSubscriberGroup })
      .shardedSubscribers;
    const attach = (): void => {
      for (const sharded of group?.shardedSubscribers?.values() ?? []) {
        const connection = sharded.getInstance();
        if (connection) watchConnection(connection);
      }
    };
    // Emitted right after ioredis adds a sharded subscriber (before it connects).
    subscriber.on('+subscriber', attach);
    watchMovedSlots(subscriber as Cluster, onLost);
    return { attach };
  }
  const inner = (subscriber as unknown as { subscriber?: ClusterSubscriber }).subscriber;
  const attach = (): void => {
    const connection = inner?.getInstance?.();
    // After an end, ioredis picks the next node synchronously; the new connection is watched then.
    if (connection) watchConnection(connection, () => setImmediate(attach));
  };
  return { attach };
}

/**
 * A slot that moves to another master (resharding) takes its shard channels with it: the old master
 * drops them with a SUNSUBSCRIBE push, which ioredis does not expect. It reports a "Command queue
 * state error" naming that reply as a `nodeError` and stays unsubscribed. On such a report the slot
 * map is refreshed, so ioredis subscribes every channel again on its slot's current master, and
 * `onLost` is called once: what was published in between is lost.
 */
function watchMovedSlots(cluster: Cluster, onLost: () => void): void {
  let scheduled = false;
  cluster.on('nodeError', (error: unknown) => {
    if (!(error instanceof Error) || !error.message.includes('Last reply: sunsubscribe,')) return;
    // One SUNSUBSCRIBE per channel of the moved slots: handled once.
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      cluster.refreshSlotsCache();
      onLost();
    });
  });
}
