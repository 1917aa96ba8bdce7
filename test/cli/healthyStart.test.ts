import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { type SpawnedCli, spawnCli } from './support/spawnCli.ts';

type LogLine = { level: number; msg: string; logger?: string; role?: string; error?: string };

const running: SpawnedCli[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop()));
});

/** The JSON log lines written so far (the CLI writes only JSON lines in this mode). */
function logLines(cli: SpawnedCli): LogLine[] {
  return readFileSync(cli.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

describe('blockwire start --role all: a healthy start', () => {
  it('prints no error-level line and no Kafka warm-up warning, on fresh topics and groups', async () => {
    const stack = getStack();
    const id = randomId('healthy');
    const port = await freePort();
    const cli = await spawnCli({
      args: ['start', '--role', 'all', '--log-format', 'json'],
      readyzPort: port,
      config: {
        chains: [
          {
            chainId: stack.chainId,
            rpc: { http: stack.rpcHttp, ws: stack.rpcWs },
            confirmations: 0,
            contracts: [{ name: 'Token', address: `0x${randomBytes(20).toString('hex')}`, abi: 'erc20' }],
          },
        ],
        kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 2 },
        redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
        process: { groupId: `${id}-group`, sessionTimeoutMs: 6_000 },
        gateway: { host: '127.0.0.1', port },
      },
    });
    running.push(cli);
    await cli.waitForReadyz((answer) => answer.status === 200, 'every role ready');
    expect(await cli.stop()).toBe(0);
    // The output is piped to the file; wait until the shutdown's lines arrived.
    const lines = await waitFor(
      () => {
        const all = logLines(cli);
        return all.some((line) => line.msg === 'Shutting down') ? all : undefined;
      },
      { description: 'the shutdown logged', timeoutMs: 30_000, intervalMs: 100 },
    );
    const started = lines.filter((line) => line.msg === 'Role started').map((line) => line.role);
    expect(started).toEqual(['ingest', 'process', 'gateway']);
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.filter((line) => line.logger === 'kafkajs' && line.level >= 40)).toEqual([]);
  });
});
