import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { isRedisReachable } from '../../src/dev-stack/redis.ts';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { epochKey } from '../../src/domain/index.ts';
import { type PrivateRedis, startPrivateRedis } from '../process/support/privateRedis.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { type ReadyzAnswer, type SpawnedCli, spawnCli } from './support/spawnCli.ts';

// The operations port (`ops.port`) serves /metrics, /healthz and /readyz for whatever roles a
// process runs, apart from the public GraphQL port. This file runs its own redis-server: it kills
// it to see readiness follow a Redis outage, which the shared Redis must never see.
let redis: PrivateRedis;

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await redis?.stop();
});

const running: SpawnedCli[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
  // A test that failed while Redis was down must not leave it down for the next one.
  if (!(await isRedisReachable(redis.url))) await redis.restart();
});

/** A config of its own (topics, group, keys) with the operations port apart from the gateway port. */
function configFor(ports: { ops: number; gateway: number }) {
  const stack = getStack();
  const id = randomId('ops');
  return {
    chains: [
      {
        chainId: stack.chainId,
        rpc: { http: stack.rpcHttp },
        confirmations: 0,
        contracts: [{ name: 'Token', address: `0x${randomBytes(20).toString('hex')}`, abi: 'erc20' }],
      },
    ],
    kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
    redis: { url: redis.url, keyPrefix: `${id}:` },
    process: { groupId: `${id}-group`, sessionTimeoutMs: 6_000 },
    gateway: { host: '127.0.0.1', port: ports.gateway },
    ops: { port: ports.ops },
  };
}

async function start(role: string, config: ReturnType<typeof configFor>): Promise<SpawnedCli> {
  const cli = await spawnCli({ args: ['start', '--role', role], config, readyzPort: config.ops.port });
  running.push(cli);
  return cli;
}

async function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

/** Whether anything accepts connections on `port`. */
async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

const roleOf = (answer: ReadyzAnswer, role: string) => answer.body.roles[role];

describe('blockwire start --role process with ops.port', () => {
  it('serves /metrics, /healthz and a /readyz that turns 503 while Redis is down and 200 once it is back', async () => {
    const config = configFor({ ops: await freePort(), gateway: await freePort() });
    const cli = await start('process', config);
    const ready = await cli.waitForReadyz((each) => each.status === 200, 'processor ready on the ops port');
    expect(Object.keys(ready.body.roles)).toEqual(['process']);
    expect(roleOf(ready, 'process')).toMatchObject({
      ready: true,
      kafka: { state: 'up' },
      redis: { state: 'up' },
    });

    const metrics = await get(config.ops.port, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('blockwire_process_rebuilding');
    expect(metrics.body).toContain('process_resident_memory_bytes');
    expect(await get(config.ops.port, '/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    // The operations port is no GraphQL endpoint, and a processor opens no gateway port.
    expect((await get(config.ops.port, '/graphql')).status).toBe(404);
    expect(await listening(config.gateway.port)).toBe(false);

    await redis.kill();
    const down = await cli.waitForReadyz(
      (each) => each.status === 503 && roleOf(each, 'process')?.redis?.state === 'down',
      'processor reporting Redis down on the ops port',
    );
    expect(down.body.ready).toBe(false);
    expect(roleOf(down, 'process')?.reason).toMatch(/^Redis is unavailable: .*; consumption paused$/);
    expect(down.body.reason).toMatch(/^process: Redis is unavailable: /);
    // Not ready is not dead: liveness and metrics keep answering, and the role keeps retrying.
    expect((await get(config.ops.port, '/healthz')).status).toBe(200);
    expect((await get(config.ops.port, '/metrics')).status).toBe(200);
    expect(cli.child.exitCode).toBeNull();

    await redis.restart();
    const back = await cli.waitForReadyz((each) => each.status === 200, 'processor ready again');
    expect(roleOf(back, 'process')).toMatchObject({ ready: true, redis: { state: 'up' } });
  });
});

describe('blockwire start --role gateway with ops.port apart from gateway.port', () => {
  it('serves the operations endpoints on both ports and GraphQL on the gateway port only', async () => {
    const config = configFor({ ops: await freePort(), gateway: await freePort() });
    const cli = await start('gateway', config);
    // A fresh key prefix has no epoch marker yet: the projection is not complete, so not ready.
    const incomplete = await cli.waitForReadyz(
      (each) => /epoch marker missing/.test(roleOf(each, 'gateway')?.reason ?? ''),
      'gateway not ready without a projection',
    );
    expect(incomplete.status).toBe(503);
    expect(incomplete.body.reason).toMatch(/^gateway: Redis projection is not complete/);

    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      await client.set(epochKey(config.redis.keyPrefix), 'ops-port-test');
    } finally {
      client.disconnect();
    }
    const ready = await cli.waitForReadyz((each) => each.status === 200, 'gateway ready on the ops port');
    expect(Object.keys(ready.body.roles)).toEqual(['gateway']);

    for (const port of [config.ops.port, config.gateway.port]) {
      expect(await get(port, '/healthz'), String(port)).toMatchObject({
        status: 200,
        body: '{"status":"ok"}',
      });
      const readyz = await get(port, '/readyz');
      expect(readyz.status, String(port)).toBe(200);
      expect(JSON.parse(readyz.body)).toMatchObject({ ready: true, roles: { gateway: { ready: true } } });
      const metrics = await get(port, '/metrics');
      expect(metrics.status, String(port)).toBe(200);
      expect(metrics.body).toContain('blockwire_gateway_open_connections');
    }
    const query = await fetch(`http://127.0.0.1:${config.gateway.port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    expect((await get(config.ops.port, '/graphql')).status).toBe(404);

    await redis.kill();
    const down = await cli.waitForReadyz((each) => each.status === 503, 'gateway reporting Redis down');
    expect(roleOf(down, 'gateway')?.reason).toMatch(/^Redis is unavailable: /);
    expect(cli.child.exitCode).toBeNull();
    await redis.restart();
    await cli.waitForReadyz((each) => each.status === 200, 'gateway ready again');
  });
});

describe('blockwire start with ops.port equal to gateway.port', () => {
  it('refuses to start, naming both fields', async () => {
    const port = await freePort();
    const config = configFor({ ops: port, gateway: port });
    const cli = await spawnCli({ args: ['start', '--role', 'process'], config, readyzPort: port });
    running.push(cli);
    const output: Buffer[] = [];
    cli.child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    cli.child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    expect(await cli.exited).not.toBe(0);
    await waitFor(() => Buffer.concat(output).toString().includes('ops.port must differ from gateway.port'), {
      description: 'the refusal in the CLI output',
      timeoutMs: 10_000,
    });
  });
});
