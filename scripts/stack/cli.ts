/**
 * `tsx scripts/stack/cli.ts up [--detach] [--kafka-brokers N] [--redis-cluster N] | down | status` — the
 * local stack (Kafka, Redis, Hardhat) for development, started only where nothing answers already.
 *
 * - `up` stays in the foreground, prints the endpoints and stops what it started on Ctrl-C.
 * - `--kafka-brokers 3` starts a KRaft cluster of three brokers instead of one (topics with three
 *   replicas, two in sync), to try blockwire against broker failures.
 * - `--redis-cluster 3` also starts a Redis Cluster of three masters with a replica each (beside the
 *   single Redis, which the stack keeps using), printed as `REDIS_CLUSTER`; Ctrl-C stops it too.
 * - `up --detach` runs the same in the background (log: `.stack/stack.log`) and returns once ready.
 * - `down` stops a stack running in the background (or in another terminal).
 * While `up` runs, `.stack/stack.json` records the endpoints; integration tests and `blockwire dev`
 * reuse them instead of starting their own.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import {
  createStackStateFile,
  type DevStack,
  type RedisClusterHandle,
  startDevStack,
  startRedisCluster,
  waitFor,
} from '../../src/dev-stack/index.ts';
import { resolveStackDir } from '../../src/dev-stack/paths.ts';

const [command = 'up', ...flags] = process.argv.slice(2);
const stateFile = createStackStateFile();

/** `--kafka-brokers N`: how many Kafka brokers `up` starts (default 1). */
function kafkaBrokerCount(): number {
  const at = flags.indexOf('--kafka-brokers');
  if (at === -1) return 1;
  const value = flags[at + 1];
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    console.error(`--kafka-brokers takes a whole number from 1 to 9, got ${value ?? 'nothing'}`);
    process.exit(2);
  }
  return count;
}

/** `--redis-cluster N`: how many masters the Redis Cluster `up` starts has, or `undefined` for none. */
function redisClusterMasters(): number | undefined {
  const at = flags.indexOf('--redis-cluster');
  if (at === -1) return undefined;
  const value = flags[at + 1];
  const count = Number(value);
  if (!Number.isInteger(count) || count < 3 || count > 9) {
    console.error(`--redis-cluster takes a whole number from 3 to 9, got ${value ?? 'nothing'}`);
    process.exit(2);
  }
  return count;
}

function printEndpoints(state: {
  kafkaBrokers: string[];
  redisUrl: string;
  redisCluster?: string[] | undefined;
  rpcHttp: string;
  rpcWs: string;
  chainId: number;
}) {
  console.log(`Kafka    ${state.kafkaBrokers.join(',')}`);
  console.log(`Redis    ${state.redisUrl}`);
  if (state.redisCluster) console.log(`Redis Cluster  ${state.redisCluster.join(',')}`);
  console.log(`Chain    ${state.rpcHttp}  ${state.rpcWs}  (chain id ${state.chainId})`);
  console.log('\nFor other shells:');
  console.log(
    `export KAFKA_BROKERS=${state.kafkaBrokers.join(',')} REDIS_URL=${state.redisUrl} BLOCKWIRE_RPC_HTTP=${state.rpcHttp} BLOCKWIRE_RPC_WS=${state.rpcWs}`,
  );
  if (state.redisCluster) console.log(`export REDIS_CLUSTER=${state.redisCluster.join(',')}`);
}

/** Starts the stack and, when asked, a Redis Cluster; if one fails, the other is stopped again. */
async function startAll(
  nodes: number,
  masters: number | undefined,
): Promise<{ stack: DevStack; redisCluster: RedisClusterHandle | undefined }> {
  const [stack, redisCluster] = await Promise.allSettled([
    startDevStack({ reuseRunning: false, kafka: { nodes } }),
    masters === undefined ? Promise.resolve(undefined) : startRedisCluster({ masters }),
  ]);
  if (stack.status === 'fulfilled' && redisCluster.status === 'fulfilled') {
    return { stack: stack.value, redisCluster: redisCluster.value };
  }
  await Promise.allSettled([
    stack.status === 'fulfilled' ? stack.value.stop() : undefined,
    redisCluster.status === 'fulfilled' ? redisCluster.value?.stop() : undefined,
  ]);
  throw stack.status === 'rejected' ? stack.reason : (redisCluster as PromiseRejectedResult).reason;
}

async function up(): Promise<void> {
  const nodes = kafkaBrokerCount();
  const masters = redisClusterMasters();
  const existing = stateFile.read();
  if (existing) {
    console.log(`A stack is already running (pid ${existing.pid}):`);
    printEndpoints(existing);
    return;
  }
  if (flags.includes('--detach')) return upDetached();
  const startedAt = Date.now();
  const { stack, redisCluster } = await startAll(nodes, masters);
  stateFile.write({
    kafkaBrokers: stack.kafkaBrokers,
    redisUrl: stack.redisUrl,
    ...(redisCluster ? { redisCluster: redisCluster.startupNodes } : {}),
    rpcHttp: stack.rpcHttp,
    rpcWs: stack.rpcWs,
    chainId: stack.chainId,
    pid: process.pid,
    startedAt: new Date().toISOString(),
  });
  console.log(`Local stack ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  printEndpoints({ ...stack, redisCluster: redisCluster?.startupNodes });
  console.log('\nCtrl-C stops what this command started.');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    stateFile.remove();
    await Promise.all([stack.stop(), redisCluster?.stop()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
  // Keep the event loop alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

async function upDetached(): Promise<void> {
  const logFile = `${resolveStackDir()}/stack.log`;
  mkdirSync(resolveStackDir(), { recursive: true });
  const fd = openSync(logFile, 'a');
  const rest = flags.filter((flag) => flag !== '--detach');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1] as string, 'up', ...rest], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: process.env,
  });
  child.unref();
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const state = await waitFor(() => stateFile.read(), {
    description: 'the background stack',
    timeoutMs: 600_000,
    intervalMs: 250,
    abort: () => (exited ? `it exited; see ${logFile}` : undefined),
  });
  console.log(`Local stack running in the background (pid ${state.pid}, log ${logFile}):`);
  printEndpoints(state);
  console.log('\nnpm run stack:down stops it.');
  process.exit(0);
}

async function down(): Promise<void> {
  const state = stateFile.read();
  if (!state) {
    console.log('No local stack is running.');
    stateFile.remove();
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  await waitFor(
    () => {
      try {
        process.kill(state.pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    { description: `stack process ${state.pid} to exit`, timeoutMs: 30_000 },
  );
  console.log(`Stopped the local stack (pid ${state.pid}).`);
}

async function status(): Promise<void> {
  const state = stateFile.read();
  if (!state) {
    console.log('No local stack is running.');
    process.exitCode = 1;
    return;
  }
  console.log(`Running since ${state.startedAt} (pid ${state.pid}):`);
  printEndpoints(state);
}

const commands: Record<string, () => Promise<void>> = { up, down, status };
const run = commands[command];
if (!run) {
  console.error(
    `Unknown command "${command}". Usage: tsx scripts/stack/cli.ts up [--detach] [--kafka-brokers N] [--redis-cluster N] | down | status`,
  );
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
