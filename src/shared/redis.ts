import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A client of one Redis server or of a Redis Cluster; both take the same commands. */
export type RedisClient = Redis | Cluster;

/** Parameters of {@link createRedis}. */
export type CreateRedisParameters = {
  url: string;
  /** host:port nodes of a Redis Cluster; when set, `url` only gives the user, password and TLS. */
  cluster?: readonly string[];
  options?: RedisOptions;
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
export function createRedis({ url, cluster, options }: CreateRedisParameters): RedisClient {
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
  });
}
