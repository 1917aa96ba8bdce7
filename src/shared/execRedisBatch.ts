import type { ChainableCommander } from 'ioredis';
import { keySlot } from '../domain/index.ts';
import { RedisError } from './errors/index.ts';
import type { RedisClient } from './redis.ts';

/** One command of a batch: `key` decides its slot on a cluster; `add` queues it on a pipeline. */
export type RedisBatchCommand<P = ChainableCommander> = { key: string; add: (pipeline: P) => void };

/** Options of {@link execRedisBatch}. */
export type ExecRedisBatchOptions = {
  /**
   * Redis Cluster only: replicas of each master that must have the batch's writes (WAIT) before it
   * counts as done, at most the replicas the master has (per the client's slot map); fewer is an
   * error, so the caller retries. 0: no WAIT.
   */
  replicaAcks?: number;
  /** How long a WAIT waits for the replicas. Default 2000 ms. */
  waitTimeoutMs?: number;
};

/** The results of a batch, one `[error, result]` per command, in the order of the commands. */
export type RedisBatchResults = [Error | null, unknown][];

/**
 * Sends commands as pipelines: one on a single server; on a cluster, one per master, each holding the
 * commands whose key's slot it serves (a cluster pipeline cannot span nodes), all at once. The
 * commands of one slot keep their order; commands of different slots may run in any order, so a
 * batch must not depend on order across slots. A pipeline that fails as a whole (connection lost, a
 * slot moved while it was sent, a WAIT that too few replicas answered) rejects the whole batch.
 */
export async function execRedisBatch<P = ChainableCommander>(
  redis: RedisClient,
  commands: readonly RedisBatchCommand<P>[],
  { replicaAcks = 0, waitTimeoutMs = 2_000 }: ExecRedisBatchOptions = {},
): Promise<RedisBatchResults> {
  if (commands.length === 0) return [];
  if (!redis.isCluster) {
    const pipeline = redis.pipeline();
    for (const command of commands) command.add(pipeline as unknown as P);
    return (await pipeline.exec()) ?? [];
  }
  // slot → [master, replicas not marked failed], as the client last read it (CLUSTER SLOTS).
  const slots = (redis as { slots?: string[][] }).slots ?? [];
  const groups = new Map<string, { indexes: number[]; replicas: number }>();
  commands.forEach((command, index) => {
    const slot = keySlot(command.key);
    const nodes = slots[slot];
    // Before the slot map is known, one pipeline per slot is always valid.
    const node = nodes?.[0] ?? `slot:${slot}`;
    const group = groups.get(node);
    if (group) group.indexes.push(index);
    else groups.set(node, { indexes: [index], replicas: Math.max(0, (nodes?.length ?? 1) - 1) });
  });
  const results: RedisBatchResults = new Array(commands.length);
  await Promise.all(
    [...groups.values()].map(async ({ indexes, replicas }) => {
      // A master left without replicas writes without waiting: if it then fails too, its slots come
      // back empty, which the epoch copies reveal.
      const acks = Math.min(replicaAcks, replicas);
      const pipeline = redis.pipeline();
      for (const index of indexes) commands[index]!.add(pipeline as unknown as P);
      if (acks > 0) pipeline.wait(acks, waitTimeoutMs);
      const replies = (await pipeline.exec()) ?? [];
      indexes.forEach((index, at) => {
        results[index] = replies[at] ?? [new RedisError('missing pipeline reply', { retriable: true }), null];
      });
      if (acks > 0) {
        const [error, acknowledged] = replies[indexes.length] ?? [null, 0];
        if (error || Number(acknowledged) < acks) {
          // The slot map may list a replica that is gone: read it again before the retry.
          (redis as { refreshSlotsCache?: () => void }).refreshSlotsCache?.();
          throw new RedisError(
            `Only ${error ? 0 : Number(acknowledged)} of ${acks} replicas acknowledged the writes within ${waitTimeoutMs} ms (redis.replicaAcks)`,
            { retriable: true, ...(error ? { cause: error } : {}) },
          );
        }
      }
    }),
  );
  // A pipeline with commands of a slot that moved (MOVED) and of slots that did not (OK) is not
  // redirected by ioredis, which follows a redirection only when every command of a pipeline got the
  // same one, and it does not read the slot map again: without this, every retry would group the
  // batch by the same stale map and fail the same way, for good (a resharded cluster stalled the
  // processor's partition; test/foundation/clusterBatch.test.ts).
  if (results.some(([error]) => error?.message.startsWith('MOVED '))) await refreshSlotMap(redis);
  return results;
}

/** Reads the cluster's slot map again (CLUSTER SLOTS), waiting at most `timeoutMs` for it. */
async function refreshSlotMap(redis: RedisClient, timeoutMs = 5_000): Promise<void> {
  const refresh = (redis as { refreshSlotsCache?: (callback?: (error?: Error) => void) => void })
    .refreshSlotsCache;
  if (!refresh) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => refresh.call(redis, () => resolve())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
