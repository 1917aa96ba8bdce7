import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { StackError } from '../shared/errors/index.ts';
import { createLogger } from '../shared/logger.ts';
import { type ClusterNodeView, describeClusterProblem } from './describeClusterProblem.ts';
import { findExecutable } from './findExecutable.ts';
import { freeStablePort } from './freePort.ts';
import { createManagedProcess, type ManagedProcess } from './managedProcess.ts';
import { parseClusterNodes } from './parseClusterNodes.ts';
import { parseRedisInfo } from './parseRedisInfo.ts';
import { isRedisReachable } from './redis.ts';
import { redisClusterNodeArgs } from './redisClusterNodeArgs.ts';
import { waitFor } from './waitFor.ts';

const execFileAsync = promisify(execFile);
const log = createLogger('dev-stack.redis-cluster');
const host = '127.0.0.1';
/** Colour codes in redis-cli's output, removed from error messages. */
const ansiColors = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Parameters of {@link startRedisCluster}. */
export type StartRedisClusterParameters = {
  /** Masters, each serving an equal share of the slots. Default 3, at least 3. */
  masters?: number | undefined;
  /** Replicas of each master. Default 1. */
  replicasPerMaster?: number | undefined;
  /**
   * `cluster-node-timeout`: how long a node may not answer before it counts as failing and its
   * replica takes over. Default 1 500 ms, so a failover completes within a few seconds.
   */
  nodeTimeoutMs?: number | undefined;
  /** How long to wait for the nodes and for the cluster to be ok. Default 30 000 ms. */
  timeoutMs?: number | undefined;
};

/** What a node of the cluster currently is. */
export type RedisClusterRole = 'master' | 'replica';

/** One node of a cluster started here, which a test may crash and start again. */
export type RedisClusterNode = {
  port: number;
  /** `127.0.0.1:<port>`. */
  address: string;
  /** Where the node's output goes. */
  logFile: string;
  /** Whether its process runs. */
  running(): boolean;
  /** SIGKILLs the node, as a crash would; its data (in memory only) is lost, its nodes.conf stays. */
  kill(): Promise<void>;
  /**
   * Starts a stopped or killed node again on the same port and nodes.conf and waits until it answers;
   * it rejoins the cluster on its own (see {@link RedisClusterHandle.waitForClusterOk}).
   */
  restart(): Promise<void>;
  /** The node's current role, from `ROLE`. */
  role(): Promise<RedisClusterRole>;
};

/** A Redis Cluster started by {@link startRedisCluster}. */
export type RedisClusterHandle = {
  /** `127.0.0.1:<port>` of every node, for a cluster client's startup nodes. */
  startupNodes: string[];
  /** Every node, masters first as the cluster was formed (roles change with failovers). */
  nodes: RedisClusterNode[];
  /** Temporary folder of the nodes' logs and nodes.conf files; removed by `stop()`. */
  dir: string;
  /**
   * Waits until every running node reports `cluster_state:ok` with every slot served by a running
   * master, all of them agree on which master serves which slots and see each other connected, and
   * every replica is linked to its master. Throws a `StackError` (`STACK_REDIS_CLUSTER`) naming what
   * was not reached, with the nodes' log tails. Default timeout: the start's `timeoutMs`.
   */
  waitForClusterOk(timeoutMs?: number): Promise<void>;
  /** The master serving `slot` as every running node sees it; throws while they disagree. */
  masterOf(slot: number): Promise<RedisClusterNode>;
  /**
   * Moves `slot` with its keys to the master `to`, as resharding does (`CLUSTER SETSLOT` IMPORTING and
   * MIGRATING, `MIGRATE` of its keys, then the new owner announced to every running master).
   */
  moveSlot(slot: number, to: RedisClusterNode): Promise<void>;
  /** Stops every node and removes {@link RedisClusterHandle.dir}. */
  stop(): Promise<void>;
};

/**
 * Starts a Redis Cluster of `masters` masters with `replicasPerMaster` replicas each, every node a
 * `redis-server` without persistence on its own free port, formed with `redis-cli --cluster create`,
 * and resolves once the cluster is ok.
 */
export async function startRedisCluster(
  parameters: StartRedisClusterParameters = {},
): Promise<RedisClusterHandle> {
  const masters = parameters.masters ?? 3;
  const replicasPerMaster = parameters.replicasPerMaster ?? 1;
  const nodeTimeoutMs = parameters.nodeTimeoutMs ?? 1_500;
  if (!Number.isInteger(masters) || masters < 3) {
    throw new StackError(
      `Redis Cluster masters must be a whole number of at least 3, got ${String(parameters.masters)}`,
      { code: 'STACK_REDIS_CLUSTER_SIZE' },
    );
  }
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new StackError(
      `Redis Cluster replicasPerMaster must be a whole number of at least 0, got ${String(parameters.replicasPerMaster)}`,
      { code: 'STACK_REDIS_CLUSTER_SIZE' },
    );
  }
  if (!Number.isInteger(nodeTimeoutMs) || nodeTimeoutMs < 100) {
    throw new StackError(
      `Redis Cluster nodeTimeoutMs must be a whole number of at least 100, got ${String(parameters.nodeTimeoutMs)}`,
      { code: 'STACK_REDIS_CLUSTER_SIZE' },
    );
  }
  const binaries = { server: findExecutable('redis-server'), cli: findExecutable('redis-cli') };
  if (!binaries.server || !binaries.cli) {
    throw new StackError(
      'redis-server and redis-cli are needed on PATH for a Redis Cluster: install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)',
      { code: 'STACK_REDIS_MISSING' },
    );
  }
  const layout = {
    masters,
    replicasPerMaster,
    nodeTimeoutMs,
    timeoutMs: parameters.timeoutMs ?? 30_000,
    server: binaries.server,
    cli: binaries.cli,
  };
  // A port found free may be taken (by any process) before a node binds it; the node then exits at
  // start, and a cluster started again on other ports does not meet the same clash.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startNodes(layout);
    } catch (error) {
      if ((error as StackError).code !== 'STACK_REDIS_CLUSTER_EXITED' || attempt >= 3) throw error;
      log.warn({
        msg: 'A Redis Cluster node exited at start; starting again on other ports',
        err: (error as Error).message,
      });
    }
  }
}

/** Checked parameters of {@link startNodes}. */
type ClusterLayout = {
  masters: number;
  replicasPerMaster: number;
  nodeTimeoutMs: number;
  timeoutMs: number;
  server: string;
  cli: string;
};

/** Starts the nodes on free ports, forms the cluster and waits until it is ok. */
async function startNodes(layout: ClusterLayout): Promise<RedisClusterHandle> {
  const startedAt = Date.now();
  const count = layout.masters * (1 + layout.replicasPerMaster);
  const ports = await distinctStablePorts(count * 2);
  const dir = mkdtempSync(join(tmpdir(), 'blockwire-redis-cluster-'));
  const specs = Array.from({ length: count }, (_, index) => {
    const port = ports[index]!;
    return {
      port,
      busPort: ports[count + index]!,
      address: `${host}:${port}`,
      logFile: `${dir}/redis-${port}.log`,
    };
  });
  const launch = (index: number) => {
    const { port, busPort, logFile } = specs[index]!;
    return createManagedProcess({
      name: 'redis-cluster',
      command: layout.server,
      args: redisClusterNodeArgs({ port, busPort, dir, nodeTimeoutMs: layout.nodeTimeoutMs, host }),
      logFile,
      cwd: dir,
      killTimeoutMs: 5_000,
    });
  };
  const processes: ManagedProcess[] = specs.map((_, index) => launch(index));
  const startupNodes = specs.map(({ address }) => address);
  const failed = (index: number) => {
    const reason = processes[index]!.exitReason();
    return reason && `node ${specs[index]!.address} ${reason}:\n${processes[index]!.logTail()}`;
  };
  const anyFailed = () => processes.map((_, index) => failed(index)).find(Boolean);
  const waitAnswers = (index: number) =>
    waitFor(() => isRedisReachable(`redis://${specs[index]!.address}`, 1_000), {
      description: `Redis Cluster node ${specs[index]!.address}`,
      timeoutMs: layout.timeoutMs,
      intervalMs: 100,
      abort: () => failed(index),
    });
  const runningIndexes = () =>
    processes.flatMap((child, index) => (child.exitReason() === undefined ? [index] : []));

  const waitForClusterOk = async (timeoutMs = layout.timeoutMs, abort?: () => string | undefined) => {
    let problem: string | undefined;
    try {
      await waitFor(
        async () => {
          const running = runningIndexes();
          const views = await Promise.all(running.map((index) => viewOf(specs[index]!.address)));
          problem = running.length === 0 ? 'no node is running' : describeClusterProblem(views);
          return problem === undefined;
        },
        { description: 'the Redis Cluster', timeoutMs, intervalMs: 200, abort },
      );
    } catch (error) {
      const tails = specs.map(
        ({ address }, index) =>
          `${address} (${processes[index]!.exitReason() ?? 'running'}):\n${processes[index]!.logTail(8)}`,
      );
      throw new StackError(
        `Redis Cluster on ${startupNodes.join(',')} did not reach cluster_state:ok with every slot served and every node in agreement: ${problem ?? (error as Error).message}`,
        { code: 'STACK_REDIS_CLUSTER', details: tails.join('\n'), cause: error, retriable: true },
      );
    }
  };

  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // The nodes die with this process (see createManagedProcess); their folder goes with them.
  process.once('exit', removeDir);
  const stop = async () => {
    await Promise.all(processes.map((child) => child.stop()));
    process.off('exit', removeDir);
    removeDir();
  };

  const nodes: RedisClusterNode[] = specs.map(({ port, address, logFile }, index) => ({
    port,
    address,
    logFile,
    running: () => processes[index]!.exitReason() === undefined,
    kill: () => processes[index]!.kill(),
    async restart() {
      await processes[index]!.stop();
      processes[index] = launch(index);
      log.info({ msg: 'Restarting a Redis Cluster node', port, pid: processes[index]!.pid });
      await waitAnswers(index);
    },
    async role() {
      const reply = await askNode(address, (redis) => redis.role());
      return reply[0] === 'master' ? 'master' : 'replica';
    },
  }));

  const masterOf = async (slot: number): Promise<RedisClusterNode> => {
    const named = await Promise.all(
      runningIndexes().map(async (index) => {
        const entries = parseClusterNodes(
          await askNode(specs[index]!.address, (redis) => redis.cluster('NODES') as Promise<string>),
        );
        const owner = entries.find(
          (entry) =>
            entry.flags.includes('master') &&
            !entry.flags.includes('fail') &&
            entry.slots.some(([start, end]) => start <= slot && slot <= end),
        );
        return owner?.address ?? 'none';
      }),
    );
    const owners = new Set(named);
    const node = owners.size === 1 ? nodes.find(({ address }) => owners.has(address)) : undefined;
    if (!node) {
      throw new StackError(`The running Redis Cluster nodes do not agree on a master of slot ${slot}`, {
        code: 'STACK_REDIS_CLUSTER',
        details: named.length > 0 ? `They name: ${[...owners].join(', ')}` : 'No node is running.',
        retriable: true,
      });
    }
    return node;
  };

  log.info({
    msg: `Starting a Redis Cluster of ${layout.masters} masters with ${layout.replicasPerMaster} replicas each`,
    ports: specs.map(({ port }) => port),
    pids: processes.map((child) => child.pid),
    dir,
  });
  try {
    await Promise.all(specs.map((_, index) => waitAnswers(index)));
    await createCluster(layout, startupNodes);
    await waitForClusterOk(layout.timeoutMs, anyFailed);
  } catch (error) {
    // Judged before stop(), after which every node has exited.
    const exited = processes.some((child) => child.exitReason() !== undefined);
    await stop();
    if (exited) {
      throw new StackError((error as Error).message, { code: 'STACK_REDIS_CLUSTER_EXITED', cause: error });
    }
    throw error;
  }
  const moveSlot = async (slot: number, to: RedisClusterNode): Promise<void> => {
    const from = await masterOf(slot);
    if (from.port === to.port) return;
    const idOf = (node: RedisClusterNode) =>
      askNode(node.address, (redis) => redis.call('CLUSTER', 'MYID') as Promise<string>);
    const [fromId, toId] = await Promise.all([idOf(from), idOf(to)]);
    await askNode(to.address, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId));
    await askNode(from.address, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId));
    for (;;) {
      const keys = await askNode(
        from.address,
        (redis) => redis.call('CLUSTER', 'GETKEYSINSLOT', slot, 100) as Promise<string[]>,
      );
      if (keys.length === 0) break;
      await askNode(from.address, (redis) =>
        redis.call('MIGRATE', host, to.port, '', 0, 5_000, 'KEYS', ...keys),
      );
    }
    // The new owner first, then the old one, then the other masters (the documented order).
    const others: RedisClusterNode[] = [];
    for (const node of nodes) {
      if (node === from || node === to || !node.running()) continue;
      if ((await node.role()) === 'master') others.push(node);
    }
    for (const node of [to, from, ...others]) {
      await askNode(node.address, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId));
    }
  };
  log.info({ msg: 'Redis Cluster ready', ms: Date.now() - startedAt, startupNodes });
  return {
    startupNodes,
    nodes,
    dir,
    waitForClusterOk: (timeoutMs) => waitForClusterOk(timeoutMs),
    masterOf,
    moveSlot,
    stop,
  };
}

/** `count` different ports below the OS's ephemeral range, so a node can restart on its ports. */
async function distinctStablePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeStablePort(host));
  return [...ports];
}

/** Assigns the slots, meets the nodes and sets up the replicas with `redis-cli --cluster create`. */
async function createCluster(layout: ClusterLayout, addresses: string[]): Promise<void> {
  const args = [
    '--cluster',
    'create',
    ...addresses,
    '--cluster-replicas',
    String(layout.replicasPerMaster),
    '--cluster-yes',
  ];
  try {
    await execFileAsync(layout.cli, args, { timeout: layout.timeoutMs });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string; killed?: boolean };
    const within = output.killed ? ` within ${layout.timeoutMs} ms` : '';
    throw new StackError(`redis-cli --cluster create could not form the Redis Cluster${within}`, {
      code: 'STACK_REDIS_CLUSTER',
      details: `${output.stdout ?? ''}${output.stderr ?? ''}`
        .replace(ansiColors, '')
        .trim()
        .split('\n')
        .slice(-20)
        .join('\n'),
      cause: error,
    });
  }
}

/** What the node at `address` says about the cluster, or why it did not answer. */
async function viewOf(address: string): Promise<ClusterNodeView> {
  try {
    return await askNode(address, async (redis) => ({
      address,
      clusterInfo: parseRedisInfo((await redis.cluster('INFO')) as string),
      replication: parseRedisInfo(await redis.info('replication')),
      nodes: parseClusterNodes((await redis.cluster('NODES')) as string),
    }));
  } catch (error) {
    const cause = (error as Error).cause;
    return { address, error: cause instanceof Error ? cause.message : (error as Error).message };
  }
}

/**
 * Runs `query` on a connection of its own to the single node at `address`, without retries: a killed
 * node must fail the query at once rather than queue it.
 */
async function askNode<T>(
  address: string,
  query: (redis: Redis) => Promise<T>,
  timeoutMs = 2_000,
): Promise<T> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  const redis = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await query(redis);
  } catch (error) {
    throw new StackError(`Redis Cluster node ${address} did not answer: ${(error as Error).message}`, {
      code: 'STACK_REDIS_CLUSTER',
      cause: error,
      retriable: true,
    });
  } finally {
    redis.disconnect();
  }
}
