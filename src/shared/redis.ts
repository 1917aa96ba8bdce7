import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A client of one Redis server or of a Redis Cluster; both take the same commands. */
export type RedisClient = Redis | Cluster;

/** Parameters of {@link createRedis}. */
export type CreateRedisParameters = {
  url: string;
  /** host:port nodes of a Redis Cluster; when set, `url` only gives the user, password and TLS. */
  cluster?: readonly string[];
  options?: RedisOptions;
  /**
   * Cluster only: SSUBSCRIBE goes through one connection per master, to the master that owns the
   * channel's slot (ioredis's sharded subscribers); needed to subscribe to sharded channels.
   */
  shardedSubscribers?: boolean;
};

/** `host:port` → the address ioredis takes. */
function clusterNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

/**
 * An ioredis client, of one server or of a cluster. Commands issued while disconnected are queued and
 * retried by ioredis; callers that must not block forever pass `maxRetriesPerRequest`.
 */
export function createRedis({
  url,
  cluster,
  options,
  shardedSubscribers = false,
}: CreateRedisParameters): RedisClient {
  if (!cluster) return new Redis(url, { lazyConnect: false, enableAutoPipelining: false, ...options });
  const parsed = new URL(url);
  const { lazyConnect = false, ...nodeOptions } = options ?? {};
  const redisOptions: RedisOptions = {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    ...nodeOptions,
  };
  return new Cluster(cluster.map(clusterNode), {
    redisOptions,
    lazyConnect,
    enableAutoPipelining: false,
    // A failover takes the cluster's node timeout and an election: keep redirecting and retrying
    // meanwhile instead of failing the command at once.
    maxRedirections: 32,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    shardedSubscribers,
  });
}

/**
 * How channels are published and subscribed: `classic` (PUBLISH/SUBSCRIBE: on a cluster every node
 * forwards every message to every other) or `sharded` (SPUBLISH/SSUBSCRIBE, Redis ≥ 7: a message
 * stays on the shard of its channel's slot).
 */
export type PubSubMode = 'classic' | 'sharded';

/** The configured pub/sub mode; by default sharded on a Redis Cluster and classic on one server. */
export function pubSubModeOf(redis: { cluster?: readonly string[]; pubsub?: PubSubMode }): PubSubMode {
  return redis.pubsub ?? (redis.cluster ? 'sharded' : 'classic');
}
