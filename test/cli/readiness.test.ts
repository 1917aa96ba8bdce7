import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { epochKey } from '../../src/domain/index.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { type ReadyzAnswer, type SpawnedCli, spawnCli } from './support/spawnCli.ts';

/** A config of its own (topics, groups, keys) for one CLI run; endpoints may be overridden. */
function configFor(overrides: { kafkaBrokers?: string[]; redisUrl?: string; gatewayPort?: number } = {}) {
  const stack = getStack();
  const id = randomId('ready');
  return {
    chains: [
      {
        chainId: stack.chainId,
        rpc: { http: stack.rpcHttp },
        confirmations: 0,
        contracts: [{ name: 'Token', address: `0x${randomBytes(20).toString('hex')}`, abi: 'erc20' }],
      },
    ],
    kafka: { brokers: overrides.kafkaBrokers ?? stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
    redis: { url: overrides.redisUrl ?? stack.redisUrl, keyPrefix: `${id}:` },
    process: { groupId: `${id}-group`, sessionTimeoutMs: 6_000 },
    gateway: { host: '127.0.0.1', port: overrides.gatewayPort ?? 0 },
  };
}

const running: SpawnedCli[] = [];

async function start(role: string, config: unknown, readyzPort?: number): Promise<SpawnedCli> {
  const cli = await spawnCli({ args: ['start', '--role', role], config, readyzPort });
  running.push(cli);
  return cli;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
});

const roleOf = (answer: ReadyzAnswer, role: string) => answer.body.roles[role];

describe.each(['process', 'ingest'])('blockwire start --role %s: /readyz', (role) => {
  it('answers 200 with the role ready once Kafka and Redis answer', async () => {
    const cli = await start(role, configFor());
    const answer = await cli.waitForReadyz((each) => each.status === 200, `${role} ready`);
    expect(answer.body.ready).toBe(true);
    expect(roleOf(answer, role)).toMatchObject({
      ready: true,
      kafka: { state: 'up' },
      redis: { state: 'up' },
    });
  });

  it('answers 503 naming Kafka, not Redis, when the Kafka brokers do not answer', async () => {
    const closedPort = await freePort();
    const cli = await start(role, configFor({ kafkaBrokers: [`127.0.0.1:${closedPort}`] }));
    const answer = await cli.waitForReadyz(
      (each) => roleOf(each, role)?.kafka?.state === 'down' && roleOf(each, role)?.redis?.state === 'up',
      `${role} reporting Kafka down`,
    );
    expect(answer.status).toBe(503);
    expect(answer.body.ready).toBe(false);
    expect(roleOf(answer, role)?.reason).toMatch(/^Kafka is unreachable: /);
    expect(roleOf(answer, role)?.reason).not.toMatch(/Redis/);
    // Not ready is not dead: the role keeps retrying instead of exiting.
    expect(cli.child.exitCode).toBeNull();
  });

  it('answers 503 naming Redis, not Kafka, when Redis does not answer', async () => {
    const closedPort = await freePort();
    const cli = await start(role, configFor({ redisUrl: `redis://127.0.0.1:${closedPort}` }));
    const answer = await cli.waitForReadyz(
      (each) => roleOf(each, role)?.redis?.state === 'down' && roleOf(each, role)?.kafka?.state === 'up',
      `${role} reporting Redis down`,
    );
    expect(answer.status).toBe(503);
    expect(roleOf(answer, role)?.reason).toMatch(/^Redis is unavailable: /);
    expect(roleOf(answer, role)?.reason).not.toMatch(/Kafka/);
    expect(cli.child.exitCode).toBeNull();
  });
});

describe('blockwire start --role gateway,process: /readyz on the gateway port', () => {
  it('answers for both roles', async () => {
    const port = await freePort();
    const cli = await start('gateway,process', configFor({ gatewayPort: port }), port);
    const answer = await cli.waitForReadyz((each) => each.status === 200, 'gateway and process ready');
    expect(Object.keys(answer.body.roles).sort()).toEqual(['gateway', 'process']);
    expect(roleOf(answer, 'gateway')).toMatchObject({ ready: true, redis: { state: 'up' } });
    expect(roleOf(answer, 'process')).toMatchObject({
      ready: true,
      kafka: { state: 'up' },
      redis: { state: 'up' },
    });
  });
});

describe('blockwire rebuild', () => {
  it('deletes the epoch marker and says so', async () => {
    const config = configFor();
    const redis = new Redis(getStack().redisUrl);
    const key = epochKey(config.redis.keyPrefix);
    try {
      await redis.set(key, 'epoch-under-test');
      const cli = await spawnCli({ args: ['rebuild'], config });
      const output: Buffer[] = [];
      cli.child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
      expect(await cli.exited).toBe(0);
      expect(Buffer.concat(output).toString()).toContain(
        `Deleted the epoch marker ${key} (epoch epoch-under-test). Running processors`,
      );
      expect(await redis.exists(key)).toBe(0);
    } finally {
      await redis.del(key);
      redis.disconnect();
    }
  });
});
