import { Cluster } from 'ioredis';
import { ConfigError } from './errors/index.ts';
import type { PubSubMode, RedisClient } from './redis.ts';

/** The Redis version a node reports, by its address. */
export type NodeVersion = { node: string; version: string };

/**
 * Why the nodes cannot carry the pub/sub mode, or undefined when they can: sharded pub/sub needs
 * Redis 7 or later on every node.
 */
export function pubSubProblem(mode: PubSubMode, nodes: readonly NodeVersion[]): string | undefined {
  if (mode !== 'sharded') return undefined;
  const old = nodes.filter(({ version }) => Number.parseInt(version, 10) < 7);
  if (old.length === 0) return undefined;
  const list = old.map(({ node, version }) => `${node} runs Redis ${version}`).join(', ');
  return `redis.pubsub is sharded (the default with redis.cluster), but ${list}, which has no sharded pub/sub (Redis 7 or later); set redis.pubsub: classic`;
}

/** `redis_version` of an INFO server reply. */
export function parseRedisVersion(info: string): string | undefined {
  return /^redis_version:(\S+)/m.exec(info)?.[1];
}

/**
 * Throws a `ConfigError` naming the nodes whose Redis cannot carry the configured pub/sub mode
 * (asks every master of a cluster). Nothing is asked in classic mode.
 */
export async function assertPubSubSupported(redis: RedisClient, mode: PubSubMode): Promise<void> {
  if (mode !== 'sharded') return;
  const nodes = redis instanceof Cluster ? redis.nodes('master') : [redis];
  const versions = await Promise.all(
    nodes.map(async (node) => ({
      node: `${node.options.host}:${node.options.port}`,
      version: parseRedisVersion(await node.info('server')) ?? 'unknown',
    })),
  );
  const problem = pubSubProblem(mode, versions);
  if (problem) throw new ConfigError(problem);
}
