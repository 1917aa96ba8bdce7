/**
 * Idle-subscriber memory benchmark: N graphql-ws connections, each with one `events` subscription
 * of one contract, held open and idle. Prints the RSS and V8 heap of the gateway process holding
 * them beside a bare `ws` server holding the same number of connections (the raw cost of an open
 * WebSocket in Node), both measured in the same run, with the per-connection cost (RSS over the same
 * server started and empty, divided by N) and the gateway/baseline ratio.
 *
 *   npx tsx bench/idleMemory.ts --connections 10000 --runs 3
 *
 * Flags: --connections N (10000) --runs R (1; medians are printed when R > 1) --clients P (2 client
 * processes sharing the N sockets) --redis URL (REDIS_URL or redis://127.0.0.1:6379) --only
 * gateway|baseline --limit MB (300: the gateway RSS the last line checks against) --source dist|ts
 * (dist: the gateway as it ships, compiled by `npm run build` first and run on plain Node; ts: the
 * sources through tsx, as a checkout's CLI runs them, which costs more per closure) --skip-build
 * (use dist/ as it is).
 * BENCH_SERVER_NODE_FLAGS adds Node flags to the measured servers (e.g.
 * "--heapsnapshot-signal=SIGUSR2" to take heap snapshots while they hold the connections);
 * BENCH_HOLD_SECONDS keeps them open that long after the measurement; BENCH_GATEWAY_DIST=<dir> measures
 * another compiled build (e.g. a previous commit's `dist/`) instead of this checkout's.
 *
 * Every client does what a graphql-ws client does: `connection_init`, then on `connection_ack` one
 * `subscribe` with a random operation id (graphql-ws clients use random UUIDs). A subscription counts
 * as live once an event published after it reached its client: events are published until every
 * client got one. The baseline's clients send the same two frames, which the bare server ignores.
 * Then the server is garbage-collected (`--expose-gc`, triggered over IPC) and its RSS read from
 * /proc; the empty figure is taken the same way before the clients connect. Both servers run from
 * bench/idleMemoryServer.mjs on plain Node.
 *
 * Each side holds N sockets open: the measured server and every client process get the open-file
 * limit raised to the hard limit (`ulimit -n`) when the soft one is too low for them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const examplePath = fileURLToPath(new URL('../examples/blockwire.yaml', import.meta.url));
const query = `subscription { events(filter: { contracts: ["${token}"] }) { id blockNumber } }`;

type ServerKind = 'gateway' | 'baseline';
type Flags = {
  connections: number;
  runs: number;
  clients: number;
  redis: string;
  only: ServerKind | undefined;
  limitMb: number;
  source: 'dist' | 'ts';
  build: boolean;
};

function parseFlags(argv: string[]): Flags {
  const value = (name: string) => {
    const index = argv.indexOf(`--${name}`);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const number = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isFinite(parsed) || parsed <= 0)
      throw new Error(`--${name} must be a positive number. Got ${raw}.`);
    return parsed;
  };
  const only = value('only');
  if (only !== undefined && only !== 'gateway' && only !== 'baseline')
    throw new Error(`--only must be gateway or baseline. Got ${only}.`);
  const source = value('source') ?? 'dist';
  if (source !== 'dist' && source !== 'ts') throw new Error(`--source must be dist or ts. Got ${source}.`);
  return {
    connections: Math.round(number('connections', 10_000)),
    runs: Math.round(number('runs', 1)),
    clients: Math.round(number('clients', 2)),
    redis: value('redis') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    only,
    limitMb: number('limit', 300),
    source,
    build: !argv.includes('--skip-build'),
  };
}

/** What a server (bench/idleMemoryServer.mjs) reports when asked, after a full GC. */
type ServerMemory = {
  type: 'memory';
  heapUsed: number;
  heapTotal: number;
  external: number;
  connections: number;
  /** Gateway: subscriptions counted live by `blockwire_gateway_active_subscriptions`. */
  subscriptions: number;
};

// ---- child mode: a share of the connections ----------------------------------------------------

type ClientCommand = { type: 'connect'; url: string; kind: ServerKind; count: number } | { type: 'close' };
type ClientReport = { type: 'connected' } | { type: 'live'; count: number };

async function runClientChild(): Promise<void> {
  const send = (report: ClientReport) => process.send?.(report);
  const sockets: WebSocket[] = [];
  const live = new Set<number>();
  let reported = 0;
  const reportLive = setInterval(() => {
    if (live.size === reported) return;
    reported = live.size;
    send({ type: 'live', count: reported });
  }, 100);

  const open = (url: string, kind: ServerKind, index: number) =>
    new Promise<void>((resolve, reject) => {
      const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
      sockets.push(socket);
      socket.once('error', reject);
      socket.once('open', () => {
        socket.send('{"type":"connection_init"}');
        if (kind === 'baseline') {
          socket.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query } }));
          live.add(index);
          resolve();
        }
      });
      if (kind === 'baseline') return;
      socket.on('message', (data: Buffer) => {
        const frame = data.toString();
        if (frame.includes('"type":"next"')) live.add(index);
        else if (frame.includes('"connection_ack"')) {
          socket.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query } }));
          resolve();
        } else if (frame.includes('"type":"error"')) {
          console.error(`connection ${index}: ${frame.slice(0, 300)}`);
        }
      });
      socket.once('close', (code, reason) => {
        if (code !== 1000) console.error(`connection ${index} closed: ${code} ${reason}`);
      });
    });

  const connect = async (url: string, kind: ServerKind, count: number) => {
    for (let start = 0; start < count; start += 250)
      await Promise.all(
        Array.from({ length: Math.min(250, count - start) }, (_, offset) => open(url, kind, start + offset)),
      );
  };

  process.on('message', (command: ClientCommand) => {
    if (command.type === 'connect') {
      void connect(command.url, command.kind, command.count).then(
        () => send({ type: 'connected' }),
        (error) => {
          console.error(error);
          process.exit(1);
        },
      );
    } else if (command.type === 'close') {
      clearInterval(reportLive);
      for (const socket of sockets) socket.terminate();
      process.exit(0);
    }
  });
  process.once('disconnect', () => process.exit(0));
  send({ type: 'connected' });
}

// ---- measurement -----------------------------------------------------------------------------------

// BENCH_GATEWAY_DIST: another compiled build to measure (e.g. a previous commit's), used as it is.
const gatewayDist = process.env.BENCH_GATEWAY_DIST
  ? pathToFileURL(`${resolve(process.env.BENCH_GATEWAY_DIST)}/`).href
  : new URL('../dist/', import.meta.url).href;
const serverEntry = fileURLToPath(new URL('./idleMemoryServer.mjs', import.meta.url));
const serverNodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const holdSeconds = Number(process.env.BENCH_HOLD_SECONDS ?? 0);
const children = new Set<ChildProcess>();
// A crashed run must not leave a measured server or client behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function openFileLimits(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line ?? '').split(/\s{2,}/).slice(1, 3);
  const parse = (v: string | undefined) => (v === 'unlimited' || v === undefined ? Infinity : Number(v));
  return { soft: parse(soft), hard: parse(hard) };
}

/**
 * Starts this script in a child mode with an IPC channel. When the soft open-file limit is below
 * what the child needs, it is started through `sh -c 'ulimit -n …; exec node …'` (the IPC channel
 * is inherited across exec).
 */
function startChild(nodeArgs: string[], openFiles: number): ChildProcess {
  const node = [process.execPath, ...nodeArgs];
  const limits = openFileLimits();
  const needed = openFiles + 1_000;
  if (needed > limits.hard)
    throw new Error(
      `The open-file limit is ${limits.hard} (hard), and a process of this bench holds ${openFiles} sockets: raise it (ulimit -Hn) or lower --connections.`,
    );
  const [command, ...rest] =
    needed > limits.soft ? ['/bin/sh', '-c', `ulimit -n ${needed} && exec "$@"`, 'sh', ...node] : node;
  const child = spawn(command!, rest, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`child process exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

const mb = (bytes: number) => bytes / 1024 / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Snapshot = { rss: number; heapUsed: number; heapTotal: number; external: number };

async function snapshot(server: ChildProcess): Promise<Snapshot & { memory: ServerMemory }> {
  const reply = nextMessage<ServerMemory>(server, 'memory');
  server.send({ type: 'memory' });
  const memory = await reply;
  // Let the freed pages go back before reading the RSS.
  await sleep(500);
  return {
    rss: rssMb(server.pid!),
    heapUsed: mb(memory.heapUsed),
    heapTotal: mb(memory.heapTotal),
    external: mb(memory.external),
    memory,
  };
}

type Result = {
  name: ServerKind;
  emptyRss: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** RSS over the empty server, per connection (KB). */
  perConnectionKb: number;
  /** Heap used over the empty server, per connection (KB). */
  heapPerConnectionKb: number;
};

async function measure(name: ServerKind, flags: Flags): Promise<Result> {
  // Imported here, not at the top: the baseline server runs this file too and must load only `ws`.
  const { Redis } = await import('ioredis');
  const { loadConfig } = await import('../src/shared/config/index.ts');
  const { createTestProcessor } = await import('../test/gateway/support/testProcessor.ts');
  const keyPrefix = `bench-mem-${process.pid}-${name}:`;
  const redis = new Redis(flags.redis);
  const base = loadConfig(examplePath, { ...process.env, REDIS_URL: flags.redis });
  const fake = createTestProcessor({
    redis,
    config: { ...base, redis: { ...base.redis, keyPrefix } },
    chainId: 31337,
  });
  await fake.markReady();
  let configPath: string | undefined;
  const serverNode = ['--expose-gc', ...serverNodeFlags];
  let server: ChildProcess;
  if (name === 'gateway') {
    const config = {
      ...base,
      redis: { ...base.redis, keyPrefix },
      gateway: {
        ...base.gateway,
        port: 0,
        limits: { ...base.gateway.limits, requestsPerMinute: 10_000_000 },
      },
    };
    configPath = join(tmpdir(), `blockwire-bench-memory-${process.pid}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    const modules =
      flags.source === 'dist'
        ? [serverEntry, 'gateway', gatewayDist, '.js']
        : ['--import', 'tsx', serverEntry, 'gateway', new URL('../src/', import.meta.url).href, '.ts'];
    server = startChild([...serverNode, ...modules, configPath], flags.connections);
  } else {
    server = startChild([...serverNode, serverEntry, 'baseline'], flags.connections);
  }
  const { url } = await nextMessage<{ type: 'ready'; url: string }>(server, 'ready');
  await sleep(1_000);
  const empty = await snapshot(server);

  const share = (index: number) =>
    Math.floor(flags.connections / flags.clients) + (index < flags.connections % flags.clients ? 1 : 0);
  const clients = await Promise.all(
    Array.from({ length: flags.clients }, async (_, index) => {
      const child = startChild(
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--child-client'],
        share(index),
      );
      await nextMessage(child, 'connected');
      return { child, live: 0 };
    }),
  );
  for (const client of clients)
    client.child.on('message', (report: ClientReport) => {
      if (report.type === 'live') client.live = report.count;
    });
  await Promise.all(
    clients.map(async (client, index) => {
      const connected = nextMessage(client.child, 'connected');
      client.child.send({ type: 'connect', url, kind: name, count: share(index) } satisfies ClientCommand);
      await connected;
    }),
  );

  const liveCount = () => clients.reduce((sum, client) => sum + client.live, 0);
  const deadline = Date.now() + 180_000;
  while (liveCount() < flags.connections) {
    if (Date.now() > deadline)
      throw new Error(`only ${liveCount()} of ${flags.connections} subscriptions got an event`);
    if (name === 'gateway') {
      fake.nextBlock();
      await fake.emit({
        address: token,
        eventName: 'Transfer',
        args: { from: token, to: token, value: '1' },
      });
    }
    await sleep(500);
  }
  // Idle: let the last frames go out and timers settle before the measurement.
  await sleep(2_000);
  const held = await snapshot(server);
  if (held.memory.connections !== flags.connections)
    throw new Error(`the ${name} holds ${held.memory.connections} of ${flags.connections} connections`);
  if (name === 'gateway' && held.memory.subscriptions !== flags.connections)
    throw new Error(`the gateway counts ${held.memory.subscriptions} of ${flags.connections} subscriptions`);
  if (holdSeconds > 0) {
    console.log(`holding the ${name} (pid ${server.pid}) for ${holdSeconds} s`);
    await sleep(holdSeconds * 1000);
  }

  for (const client of clients) client.child.send({ type: 'close' } satisfies ClientCommand);
  await Promise.all(clients.map((client) => new Promise((resolve) => client.child.once('exit', resolve))));
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  if (configPath) rmSync(configPath, { force: true });
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();

  return {
    name,
    emptyRss: empty.rss,
    rss: held.rss,
    heapUsed: held.heapUsed,
    heapTotal: held.heapTotal,
    external: held.external,
    perConnectionKb: ((held.rss - empty.rss) * 1024) / flags.connections,
    heapPerConnectionKb: ((held.heapUsed - empty.heapUsed) * 1024) / flags.connections,
  };
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

const header =
  'server           empty RSS MB   RSS MB   heap used MB (total)   external MB   per connection: RSS KB  heap KB';

function row(label: string, r: Omit<Result, 'name'>): string {
  return `${label.padEnd(16)} ${fmt(r.emptyRss).padStart(12)}  ${fmt(r.rss).padStart(7)}  ${`${fmt(r.heapUsed)} (${fmt(r.heapTotal)})`.padStart(21)}  ${fmt(r.external).padStart(12)}  ${fmt(r.perConnectionKb).padStart(22)}  ${fmt(r.heapPerConnectionKb).padStart(7)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const [mode] = process.argv.slice(2);
  if (mode === '--child-client') return runClientChild();
  const flags = parseFlags(process.argv.slice(2));
  const limits = openFileLimits();
  if (
    flags.source === 'dist' &&
    flags.build &&
    flags.only !== 'baseline' &&
    !process.env.BENCH_GATEWAY_DIST
  ) {
    console.log('building dist/ (npm run build) to measure the gateway as it ships');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (build.status !== 0) throw new Error(`npm run build failed (exit ${build.status})`);
  }
  console.log(
    `idle memory: ${flags.connections} graphql-ws connections with one events subscription each (random operation ids), in ${flags.clients} client processes, ${flags.runs} run(s), gateway from ${flags.source === 'dist' ? 'dist/ (compiled, plain Node)' : 'src/ through tsx'}; open-file limit ${limits.soft} (hard ${limits.hard})`,
  );
  const results: Result[] = [];
  for (let run = 1; run <= flags.runs; run++) {
    for (const name of ['baseline', 'gateway'] as const) {
      if (flags.only && flags.only !== name) continue;
      const result = await measure(name, flags);
      results.push(result);
      if (results.length === 1) console.log(header);
      console.log(row(flags.runs > 1 ? `${name} #${run}` : name, result));
    }
  }
  const summary = (name: ServerKind): Omit<Result, 'name'> | undefined => {
    const mine = results.filter((r) => r.name === name);
    if (mine.length === 0) return undefined;
    const pick = (key: keyof Omit<Result, 'name'>) => median(mine.map((r) => r[key]));
    return {
      emptyRss: pick('emptyRss'),
      rss: pick('rss'),
      heapUsed: pick('heapUsed'),
      heapTotal: pick('heapTotal'),
      external: pick('external'),
      perConnectionKb: pick('perConnectionKb'),
      heapPerConnectionKb: pick('heapPerConnectionKb'),
    };
  };
  const baseline = summary('baseline');
  const gateway = summary('gateway');
  if (flags.runs > 1) {
    console.log(`median of ${flags.runs} runs:`);
    console.log(header);
    if (baseline) console.log(row('baseline', baseline));
    if (gateway) console.log(row('gateway', gateway));
  }
  if (baseline && gateway)
    console.log(
      `gateway/baseline: RSS ${fmt(gateway.rss / baseline.rss)}x, per connection ${fmt(gateway.perConnectionKb / baseline.perConnectionKb)}x`,
    );
  if (gateway)
    console.log(
      `gateway RSS with ${flags.connections} idle subscribers: ${fmt(gateway.rss)} MB (${gateway.rss <= flags.limitMb ? 'within' : 'OVER'} the ${flags.limitMb} MB target)`,
    );
  process.exit(0);
}

await main();
