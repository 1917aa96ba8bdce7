import type { Redis } from 'ioredis';
import type { RedisClient } from '../../shared/redis.ts';

/** What {@link watchSubscriberConnection} returns. */
export type SubscriberWatch = {
  /** Starts watching the connection in use now, if not watched yet (cheap; call it before subscribing). */
  attach(): void;
};

/** ioredis's (internal) subscriber of a cluster: the connection it uses now. */
type ClusterSubscriber = { getInstance(): Redis | null | undefined };

/**
 * Calls `onLost` each time the connection that receives the subscriptions' messages closes after it
 * was ready. On one server that is the client itself (it reconnects and subscribes again). On a
 * cluster it is the connection ioredis's cluster subscriber keeps to one node, replaced by one to
 * another node when it ends; each replacement is watched in turn.
 */
export function watchSubscriberConnection(subscriber: RedisClient, onLost: () => void): SubscriberWatch {
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
  const inner = (subscriber as unknown as { subscriber?: ClusterSubscriber }).subscriber;
  const attach = (): void => {
    const connection = inner?.getInstance?.();
    // After an end, ioredis picks the next node synchronously; the new connection is watched then.
    if (connection) watchConnection(connection, () => setImmediate(attach));
  };
  return { attach };
}
