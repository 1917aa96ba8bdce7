/**
 * Fan-out benchmark: N WebSocket subscribers of one contract, events published at a given rate.
 * Prints delivery latency (publish → client) p50/p99/max, and CPU and RSS of the server process,
 * for the gateway (graphql-ws, full GraphQL execution) and for a raw baseline (Redis pub/sub →
 * `ws` broadcast of the message as is), both measured in the same run against the same Redis.
 *
 *   npx tsx bench/fanout.ts --subscribers 5000 --rate 20 --duration 20
 *
 * Flags: --subscribers N (5000) --rate events/s (20) --duration seconds (20) --redis URL
 * (REDIS_URL or redis://127.0.0.1:6379) --only gateway|baseline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket, { WebSocketServer } from 'ws';
import { contractChannel } from '../src/domain/index.ts';
import { loadConfig } from '../src/shared/config/index.ts';
import { createFakeProcessor } from '../test/gateway/support/fakeProcessor.ts';

const token = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const examplePath = fileURLToPath(new URL('../examples/blockwire.yaml', import.meta.url));

type Flags = { subscribers: number; rate: number; duration: number; redis: string; only: string | undefined };

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
  return {
    subscribers: number('subscribers', 5000),
    rate: number('rate', 20),
    duration: number('duration', 20),
    redis: value('redis') ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    only: value('only'),
  };
}

// ---- child modes: the measured servers run in their own process ---------------------------------

async function runGatewayChild(configPath: string): Promise<void> {
  const { createGateway } = await import('../src/gateway/index.ts');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const gateway = createGateway({ config });
  const { url } = await gateway.start();
  process.stdout.write(`READY ${url.replace(/^http/, 'ws')}\n`);
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

// ---- measurement -----------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
// A crashed run must not leave a measured server behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function spawnChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, url: line.slice(6) });
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

type Result = {
  benchCpu: number;
  benchLoopP99: number;
  name: string;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  cpu: number;
  rss: number;
};

async function measure(name: 'gateway' | 'baseline', flags: Flags): Promise<Result> {
  const keyPrefix = `bench-${process.pid}-${name}:`;
  const redis = new Redis(flags.redis);
  const fake = createFakeProcessor({ redis, keyPrefix, chainId: 31337 });
  await fake.markReady();
  let configPath: string | undefined;
  let server: { child: ChildProcess; url: string };
  if (name === 'gateway') {
    const base = loadConfig(examplePath, { ...process.env, REDIS_URL: flags.redis });
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
    server = await spawnChild(['--child-gateway', configPath]);
  } else {
    server = await spawnChild(['--child-baseline', flags.redis, contractChannel(keyPrefix, 31337, token)]);
  }
  const pid = server.child.pid!;

  const sentAt = new Map<string, number>();
  // Arrival times are joined with publish times afterwards: a fast delivery can beat the MULTI reply.
  const arrivals: Array<[string, number]> = [];
  let measuring = false;
  const warm = new Set<number>();
  const sockets: WebSocket[] = [];
  const query = `subscription { events(filter: { contracts: ["${token}"] }) { id blockNumber ... on DemoToken_Transfer { args { from to value } } } }`;

  const onEvent = (index: number, id: string) => {
    warm.add(index);
    if (measuring) arrivals.push([id, performance.now()]);
  };

  for (let start = 0; start < flags.subscribers; start += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, flags.subscribers - start) }, (_, offset) => {
        const index = start + offset;
        return new Promise<void>((resolve, reject) => {
          const socket = new WebSocket(server.url, name === 'gateway' ? 'graphql-transport-ws' : undefined);
          sockets.push(socket);
          socket.once('error', reject);
          socket.once('open', () => {
            if (name === 'baseline') return resolve();
            socket.send(JSON.stringify({ type: 'connection_init' }));
          });
          socket.on('message', (data) => {
            const message = JSON.parse(String(data));
            if (name === 'baseline') return onEvent(index, message.event.id);
            if (message.type === 'connection_ack') {
              socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
              resolve();
            } else if (message.type === 'next') onEvent(index, message.payload.data.events.id);
          });
        });
      }),
    );
  }

  const publish = async () => {
    fake.nextBlock();
    const started = performance.now();
    const emitted = fake.emit({
      address: token,
      eventName: 'Transfer',
      args: { from: token, to: token, value: '1' },
    });
    const { event } = await emitted;
    sentAt.set(event.id, started);
  };
  // Warm up until every subscriber got an event (all subscriptions live).
  const warmDeadline = Date.now() + 120_000;
  while (warm.size < flags.subscribers) {
    if (Date.now() > warmDeadline)
      throw new Error(`only ${warm.size} of ${flags.subscribers} subscribers got events`);
    await publish();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));

  measuring = true;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const ownCpu = process.cpuUsage();
  const cpuStart = cpuTicks(pid);
  const wallStart = performance.now();
  const measuredFrom = wallStart;
  const total = Math.round(flags.rate * flags.duration);
  let rssPeak = rssMb(pid);
  for (let i = 0; i < total; i++) {
    const due = wallStart + (i * 1000) / flags.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    // The timestamp is taken just before the MULTI that journals and publishes the event.
    void publish();
    if (i % Math.max(1, Math.round(flags.rate)) === 0) rssPeak = Math.max(rssPeak, rssMb(pid));
  }
  const live = warm.size;
  if (live < flags.subscribers)
    console.warn(`${name}: only ${live} of ${flags.subscribers} subscribers were live after warm-up`);
  const expected = total * live;
  const drainDeadline = Date.now() + 10_000;
  while (arrivals.length < expected && Date.now() < drainDeadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const wallSeconds = (performance.now() - wallStart) / 1000;
  const cpu = ((cpuTicks(pid) - cpuStart) / 100 / wallSeconds) * 100;
  measuring = false;
  loopDelay.disable();
  const own = process.cpuUsage(ownCpu);
  const benchCpu = ((own.user + own.system) / 1e6 / wallSeconds) * 100;

  for (const socket of sockets) socket.terminate();
  server.child.kill('SIGTERM');
  await new Promise((resolve) => server.child.once('exit', resolve));
  if (configPath) rmSync(configPath, { force: true });
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();

  const latencies: number[] = [];
  for (const [id, at] of arrivals) {
    const sent = sentAt.get(id);
    if (sent !== undefined && sent >= measuredFrom) latencies.push(at - sent);
  }
  const sorted = latencies.sort((a, b) => a - b);
  return {
    name,
    benchCpu,
    benchLoopP99: loopDelay.percentile(99) / 1e6,
    delivered: latencies.length,
    expected,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    cpu,
    rss: rssPeak,
  };
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child-gateway') return runGatewayChild(rest[0]!);
  if (mode === '--child-baseline') return runBaselineChild(rest[0]!, rest[1]!);
  const flags = parseFlags(process.argv.slice(2));
  console.log(
    `fan-out: ${flags.subscribers} WebSocket subscribers, ${flags.rate} events/s for ${flags.duration} s (${flags.rate * flags.subscribers} deliveries/s)`,
  );
  const results: Result[] = [];
  for (const name of ['baseline', 'gateway'] as const) {
    if (flags.only && flags.only !== name) continue;
    results.push(await measure(name, flags));
  }
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  console.log(
    'server     delivered/expected   p50 ms   p99 ms   max ms   CPU %   RSS MB   (bench client CPU %, loop delay p99 ms)',
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(10)} ${`${r.delivered}/${r.expected}`.padEnd(20)} ${fmt(r.p50).padStart(6)}   ${fmt(r.p99).padStart(6)}   ${fmt(r.max).padStart(6)}   ${fmt(r.cpu).padStart(5)}   ${fmt(r.rss).padStart(6)}   (${fmt(r.benchCpu)}, ${fmt(r.benchLoopP99)})`,
    );
  }
  process.exit(0);
}

await main();
