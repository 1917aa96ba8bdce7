/**
 * Fan-out benchmark: N WebSocket subscribers of one contract, events published at a given rate.
 * Prints delivery latency (publish → client receipt) p50/p99/max, and CPU and RSS of the server
 * process, for the gateway (graphql-ws, full GraphQL semantics) and for a raw baseline (Redis
 * pub/sub → `ws` broadcast of the message as is), both measured in the same run against the same
 * Redis and with the same client.
 *
 *   npx tsx bench/fanout.ts --subscribers 5000 --rate 20 --duration 20 --runs 3
 *
 * Flags: --subscribers N (5000) --rate events/s (20) --duration seconds (20) --runs R (1; medians
 * are printed when R > 1) --clients P (2 client processes sharing the N sockets) --redis URL
 * (REDIS_URL or redis://127.0.0.1:6379) --only gateway|baseline --workers W (1; with W > 1 the gateway is
 * also measured as W worker processes sharing its port, `gateway.workers: W`, and each worker's CPU is
 * printed beside the single-process figures). Output per server: delivered/expected
 * deliveries, latency p50/p99/max, CPU % of the server process with its system (kernel) part in
 * parentheses, peak RSS, and the clients' CPU and event-loop delay (to see that they kept up).
 * BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the measured servers.
 *
 * The subscribers live in P client processes so the measuring side is not the bottleneck; a client
 * reads only the event id out of each frame and timestamps it on the shared wall clock
 * (`performance.timeOrigin + performance.now()`), so latency is publish → receipt across processes.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket, { WebSocketServer } from 'ws';
import { contractChannel } from '../src/domain/index.ts';
import { loadConfig } from '../src/shared/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createTestProcessor } from '../test/gateway/support/testProcessor.ts';

const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const examplePath = fileURLToPath(new URL('../examples/blockwire.yaml', import.meta.url));
const query = `subscription { events(filter: { contracts: ["${token}"] }) { id blockNumber ... on DemoToken_Transfer { args { from to value } } } }`;
// Latency histogram resolution (ms) used by the clients.
const bucketMs = 0.1;

type ServerKind = 'gateway' | 'baseline';
type Flags = {
  workers: number;
  subscribers: number;
  rate: number;
  duration: number;
  runs: number;
  clients: number;
  redis: string;
  only: string | undefined;
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
  return {
    subscribers: number('subscribers', 5000),
    rate: number('rate', 20),
    duration: number('duration', 20),
    runs: Math.round(number('runs', 1)),
    clients: Math.round(number('clients', 2)),
    redis: value('redis') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    only,
    workers: Math.round(number('workers', 1)),
  };
}

const wallNow = () => performance.timeOrigin + performance.now();

// ---- child modes: the measured servers run in their own process ---------------------------------

async function runGatewayChild(configPath: string, workers: number): Promise<void> {
  const { createGateway } = await import('../src/gateway/index.ts');
  const cluster = await import('../src/cli/gatewayWorkers.ts');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const worker = cluster.gatewayWorkerNumber();
  // With workers, this process is the primary (as `blockwire start --workers N` runs) or one of the
  // workers it forked (this script again, with the same arguments).
  const gateway =
    workers > 1 && worker === undefined
      ? cluster.createGatewayWorkers({ count: workers, logger: createLogger('bench-gateway') })
      : createGateway({ config });
  if (worker !== undefined) cluster.serveAsGatewayWorker(worker);
  const { url } = await gateway.start();
  if (worker !== undefined) cluster.announceWorkerStarted(url);
  else process.stdout.write(`READY ${url.replace(/^http/, 'ws')}\n`);
  process.once('SIGTERM', () => void gateway.stop().then(() => process.exit(0)));
}

async function runBaselineChild(redisUrl: string, channel: string): Promise<void> {
  const subscriber = new Redis(redisUrl);
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  await subscriber.subscribe(channel);
  subscriber.on('message', (_channel: string, message: string) => {
    for (const client of wss.clients) if (client.readyState === WebSocket.OPEN) client.send(message);
  });
  const { port } = wss.address() as { port: number };
  process.stdout.write(`READY ws://127.0.0.1:${port}\n`);
  process.once('SIGTERM', () => process.exit(0));
}

// ---- child mode: a share of the subscribers ---------------------------------------------------

type ClientCommand =
  | { type: 'connect'; url: string; kind: ServerKind; count: number }
  | { type: 'measure' }
  | { type: 'collect'; sentAt: Record<string, number> }
  | { type: 'close' };

type ClientReport =
  | { type: 'connected' }
  | { type: 'warm'; count: number }
  | { type: 'collected'; histogram: Record<number, number>; received: number; loopP99: number };

async function runClientChild(): Promise<void> {
  const send = (report: ClientReport) => process.send?.(report);
  const sockets: WebSocket[] = [];
  const warm = new Set<number>();
  let measuring = false;
  // event id → receipt times of this process's sockets.
  const arrivals = new Map<string, number[]>();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  let warmReported = 0;
  const reportWarm = setInterval(() => {
    if (warm.size === warmReported) return;
    warmReported = warm.size;
    send({ type: 'warm', count: warmReported });
  }, 100);

  const onEvent = (index: number, id: string) => {
    warm.add(index);
    if (!measuring) return;
    const at = wallNow();
    const list = arrivals.get(id);
    if (list) list.push(at);
    else arrivals.set(id, [at]);
  };

  // Only the event id is read out of a frame: the gateway's is the first `"id":"` after the
  // payload's field name, the baseline's the first in the raw channel message.
  const idOf = (frame: string, from: number): string | undefined => {
    const start = frame.indexOf('"id":"', from);
    if (start < 0) return undefined;
    const end = frame.indexOf('"', start + 6);
    return frame.slice(start + 6, end);
  };

  const connect = async (url: string, kind: ServerKind, count: number) => {
    for (let start = 0; start < count; start += 250) {
      await Promise.all(
        Array.from({ length: Math.min(250, count - start) }, (_, offset) => {
          const index = start + offset;
          return new Promise<void>((resolve, reject) => {
            const socket = new WebSocket(url, kind === 'gateway' ? 'graphql-transport-ws' : undefined, {
              perMessageDeflate: false,
              skipUTF8Validation: true,
            });
            sockets.push(socket);
            socket.once('error', reject);
            socket.once('open', () => {
              if (kind === 'baseline') return resolve();
              socket.send('{"type":"connection_init"}');
            });
            socket.on('message', (data: Buffer) => {
              const frame = data.toString('latin1');
              if (kind === 'baseline') {
                const id = idOf(frame, 0);
                if (id) onEvent(index, id);
                return;
              }
              const at = frame.indexOf('"events":{');
              if (at >= 0) {
                const id = idOf(frame, at);
                if (id) onEvent(index, id);
              } else if (frame.includes('"connection_ack"')) {
                socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
                resolve();
              } else if (frame.includes('"type":"error"')) {
                console.error(`subscriber ${index}: ${frame.slice(0, 300)}`);
              }
            });
          });
        }),
      );
    }
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
    } else if (command.type === 'measure') {
      measuring = true;
      loopDelay.enable();
    } else if (command.type === 'collect') {
      measuring = false;
      loopDelay.disable();
      const histogram: Record<number, number> = {};
      let received = 0;
      for (const [id, times] of arrivals) {
        const sent = command.sentAt[id];
        if (sent === undefined) continue;
        for (const at of times) {
          const bucket = Math.max(0, Math.floor((at - sent) / bucketMs));
          histogram[bucket] = (histogram[bucket] ?? 0) + 1;
          received += 1;
        }
      }
      send({ type: 'collected', histogram, received, loopP99: loopDelay.percentile(99) / 1e6 });
    } else if (command.type === 'close') {
      clearInterval(reportWarm);
      for (const socket of sockets) socket.terminate();
      process.exit(0);
    }
  });
  send({ type: 'connected' });
}

// ---- measurement -----------------------------------------------------------------------------------

// e.g. BENCH_SERVER_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the measured servers.
const serverNodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const children = new Set<ChildProcess>();
// A crashed run must not leave a measured server or client behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function spawnServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = track(
    spawn(
      process.execPath,
      [...serverNodeFlags, '--import', 'tsx', fileURLToPath(import.meta.url), ...args],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, LOG_LEVEL: 'warn' },
      },
    ),
  );
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, url: line.slice(6) });
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

type Client = {
  child: ChildProcess;
  warm: number;
  request<T extends ClientReport['type']>(
    command: ClientCommand,
    reply: T,
  ): Promise<Extract<ClientReport, { type: T }>>;
};

async function spawnClient(): Promise<Client> {
  const child = track(
    fork(fileURLToPath(import.meta.url), ['--child-client'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  const waiting = new Map<string, (report: ClientReport) => void>();
  const client: Client = {
    child,
    warm: 0,
    request(command, reply) {
      return new Promise((resolve) => {
        waiting.set(reply, resolve as (report: ClientReport) => void);
        child.send(command);
      });
    },
  };
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`client process exited with ${code}`)));
    child.on('message', (report: ClientReport) => {
      if (report.type === 'warm') client.warm = report.count;
      const resolver = waiting.get(report.type);
      if (resolver) {
        waiting.delete(report.type);
        resolver(report);
      } else if (report.type === 'connected') resolve();
    });
  });
  await ready;
  return client;
}

// User and system CPU time of a process, in clock ticks (1/100 s).
function cpuTimes(pid: number): { user: number; system: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

function cpuTicks(pid: number): number {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/** The processes a process forked (gateway workers), from /proc. */
function childPids(pid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(fields[1]) === pid) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids.sort((a, b) => a - b);
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function percentileOf(histogram: Map<number, number>, total: number, p: number): number {
  if (total === 0) return Number.NaN;
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const bucket of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bucket)!;
    if (seen > rank) return (bucket + 0.5) * bucketMs;
  }
  return Number.NaN;
}

type Result = {
  /** `baseline`, `gateway`, or `gateway×W` for W worker processes. */
  name: string;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  cpu: number;
  /** The part of `cpu` spent in the kernel (socket writes). */
  cpuSystem: number;
  rss: number;
  clientCpu: number;
  clientLoopP99: number;
  /** CPU % of each gateway worker (the primary's is `cpu` minus their sum); empty without workers. */
  workerCpu: number[];
};

async function measure(name: ServerKind, flags: Flags, workers = 1): Promise<Result> {
  const keyPrefix = `bench-${process.pid}-${name}:`;
  const redis = new Redis(flags.redis);
  const base = loadConfig(examplePath, { ...process.env, REDIS_URL: flags.redis });
  const fake = createTestProcessor({
    redis,
    config: { ...base, redis: { ...base.redis, keyPrefix } },
    chainId: 31337,
  });
  await fake.markReady();
  let configPath: string | undefined;
  let server: { child: ChildProcess; url: string };
  if (name === 'gateway') {
    const config = {
      ...base,
      redis: { ...base.redis, keyPrefix },
      gateway: {
        ...base.gateway,
        port: 0,
        limits: { ...base.gateway.limits, requestsPerMinute: 10_000_000, subscriptionBuffer: 10_000 },
      },
    };
    configPath = join(tmpdir(), `blockwire-bench-${process.pid}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    server = await spawnServer(['--child-gateway', configPath, String(workers)]);
  } else {
    server = await spawnServer(['--child-baseline', flags.redis, contractChannel(keyPrefix, 31337, token)]);
  }
  const pid = server.child.pid!;
  const workerPids = workers > 1 ? childPids(pid) : [];
  if (workerPids.length !== (workers > 1 ? workers : 0))
    throw new Error(`expected ${workers} gateway workers, found ${workerPids.length}`);
  const serverPids = [pid, ...workerPids];
  const serverCpu = () =>
    serverPids.map(cpuTimes).reduce((sum, t) => ({ user: sum.user + t.user, system: sum.system + t.system }));
  const serverRss = () => serverPids.reduce((sum, serverPid) => sum + rssMb(serverPid), 0);

  const clients = await Promise.all(Array.from({ length: flags.clients }, () => spawnClient()));
  const share = (index: number) =>
    Math.floor(flags.subscribers / flags.clients) + (index < flags.subscribers % flags.clients ? 1 : 0);
  await Promise.all(
    clients.map((client, index) =>
      client.request({ type: 'connect', url: server.url, kind: name, count: share(index) }, 'connected'),
    ),
  );

  const sentAt: Record<string, number> = {};
  const publish = async (record: boolean) => {
    fake.nextBlock();
    // The timestamp is taken just before the apply script journals and publishes the event.
    const started = wallNow();
    const { event } = await fake.emit({
      address: token,
      eventName: 'Transfer',
      args: { from: token, to: token, value: '1' },
    });
    if (record) sentAt[event.id] = started;
  };
  const liveCount = () => clients.reduce((sum, client) => sum + client.warm, 0);
  // Warm up until every subscriber got an event (all subscriptions live).
  const warmDeadline = Date.now() + 120_000;
  while (liveCount() < flags.subscribers) {
    if (Date.now() > warmDeadline)
      throw new Error(`only ${liveCount()} of ${flags.subscribers} subscribers got events`);
    await publish(false);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));

  for (const client of clients) client.child.send({ type: 'measure' } satisfies ClientCommand);
  const clientPids = clients.map((client) => client.child.pid!);
  const clientCpuStart = clientPids.map(cpuTicks);
  const cpuStart = serverCpu();
  const workerCpuStart = workerPids.map(cpuTicks);
  const wallStart = performance.now();
  const total = Math.round(flags.rate * flags.duration);
  let rssPeak = serverRss();
  const publishes: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = wallStart + (i * 1000) / flags.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    publishes.push(publish(true));
    if (i % Math.max(1, Math.round(flags.rate)) === 0) rssPeak = Math.max(rssPeak, serverRss());
  }
  await Promise.all(publishes);
  // Let the last events arrive (a saturated server is cut off here and shows as undelivered).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpuEnd = serverCpu();
  const percent = (ticks: number) => (ticks / 100 / wallSeconds) * 100;
  const cpu = percent(cpuEnd.user - cpuStart.user + cpuEnd.system - cpuStart.system);
  const cpuSystem = percent(cpuEnd.system - cpuStart.system);
  const clientCpu =
    (clientPids.reduce((sum, clientPid, index) => sum + cpuTicks(clientPid) - clientCpuStart[index]!, 0) /
      100 /
      wallSeconds) *
    100;
  rssPeak = Math.max(rssPeak, serverRss());
  const workerCpu = workerPids.map((workerPid, index) =>
    percent(cpuTicks(workerPid) - workerCpuStart[index]!),
  );
  const live = liveCount();
  const reports = await Promise.all(
    clients.map((client) => client.request({ type: 'collect', sentAt }, 'collected')),
  );
  for (const client of clients) client.child.send({ type: 'close' } satisfies ClientCommand);
  await Promise.all(clients.map((client) => new Promise((resolve) => client.child.once('exit', resolve))));
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  if (configPath) rmSync(configPath, { force: true });
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();

  const histogram = new Map<number, number>();
  let delivered = 0;
  for (const report of reports) {
    delivered += report.received;
    for (const [bucket, count] of Object.entries(report.histogram))
      histogram.set(Number(bucket), (histogram.get(Number(bucket)) ?? 0) + count);
  }
  const maxBucket = Math.max(...histogram.keys());
  return {
    name: workers > 1 ? `${name}×${workers}` : name,
    workerCpu,
    delivered,
    expected: total * live,
    p50: percentileOf(histogram, delivered, 50),
    p99: percentileOf(histogram, delivered, 99),
    max: Number.isFinite(maxBucket) ? (maxBucket + 1) * bucketMs : Number.NaN,
    cpu,
    cpuSystem,
    rss: rssPeak,
    clientCpu,
    clientLoopP99: Math.max(...reports.map((report) => report.loopP99)),
  };
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');

function row(label: string, r: Omit<Result, 'name'>): string {
  const workers =
    r.workerCpu.length > 0 ? `\n${' '.repeat(17)}CPU % per worker: ${r.workerCpu.map(fmt).join(', ')}` : '';
  return `${label.padEnd(16)} ${`${r.delivered}/${r.expected}`.padEnd(20)} ${fmt(r.p50).padStart(7)}  ${fmt(r.p99).padStart(7)}  ${fmt(r.max).padStart(7)}  ${`${fmt(r.cpu)} (${fmt(r.cpuSystem)})`.padStart(12)}  ${fmt(r.rss).padStart(6)}   (${fmt(r.clientCpu)}, ${fmt(r.clientLoopP99)})${workers}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child-gateway') return runGatewayChild(rest[0]!, Number(rest[1] ?? 1));
  if (mode === '--child-baseline') return runBaselineChild(rest[0]!, rest[1]!);
  if (mode === '--child-client') return runClientChild();
  const flags = parseFlags(process.argv.slice(2));
  console.log(
    `fan-out: ${flags.subscribers} WebSocket subscribers in ${flags.clients} client processes, ${flags.rate} events/s for ${flags.duration} s (${flags.rate * flags.subscribers} deliveries/s), ${flags.runs} run(s)`,
  );
  const header =
    'server           delivered/expected     p50 ms   p99 ms   max ms  CPU % (sys)  RSS MB   (clients CPU %, client loop delay p99 ms)';
  const results: Result[] = [];
  const servers: [ServerKind, number][] = [
    ['baseline', 1],
    ['gateway', 1],
    ...(flags.workers > 1 ? [['gateway', flags.workers] as [ServerKind, number]] : []),
  ];
  for (let run = 1; run <= flags.runs; run++) {
    for (const [name, workers] of servers) {
      if (flags.only && flags.only !== name) continue;
      const result = await measure(name, flags, workers);
      results.push(result);
      if (results.length === 1) console.log(header);
      console.log(row(flags.runs > 1 ? `${result.name} #${run}` : result.name, result));
    }
  }
  if (flags.runs > 1) {
    console.log(`median of ${flags.runs} runs:`);
    console.log(header);
    for (const name of [...new Set(results.map((r) => r.name))]) {
      const mine = results.filter((r) => r.name === name);
      if (mine.length === 0) continue;
      const pick = (key: Exclude<keyof Result, 'name' | 'workerCpu'>) => median(mine.map((r) => r[key]));
      console.log(
        row(name, {
          delivered: pick('delivered'),
          expected: pick('expected'),
          p50: pick('p50'),
          p99: pick('p99'),
          max: pick('max'),
          cpu: pick('cpu'),
          cpuSystem: pick('cpuSystem'),
          rss: pick('rss'),
          clientCpu: pick('clientCpu'),
          clientLoopP99: pick('clientLoopP99'),
          workerCpu: mine[0]!.workerCpu.map((_, index) => median(mine.map((r) => r.workerCpu[index] ?? 0))),
        }),
      );
    }
  }
  const baselines = results.filter((r) => r.name === 'baseline');
  if (baselines.some((r) => r.delivered < r.expected || r.p99 > 1000))
    console.log(
      'note: the raw baseline itself did not keep up at this size; the machine (server, clients and Redis on the same cores) is the limit, not only the server measured.',
    );
  process.exit(0);
}

await main();
