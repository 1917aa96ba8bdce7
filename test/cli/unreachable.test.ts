import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { type CliRun, runCliToExit } from './support/runCliToExit.ts';

/** Short, so the file runs in about a minute; a reachable dependency still answers well within it. */
const connectTimeoutMs = 15_000;
const secret = 'hunter2-s3cret';
const apiKey = 'k3y-in-the-path';

type Broken = 'kafka' | 'redis' | 'rpc';
type Case = { broken: Broken; roles: string; format?: 'pretty' };

const cases: Case[] = [
  { broken: 'kafka', roles: 'ingest' },
  { broken: 'kafka', roles: 'process' },
  { broken: 'kafka', roles: 'all' },
  { broken: 'redis', roles: 'ingest' },
  { broken: 'redis', roles: 'process' },
  { broken: 'redis', roles: 'gateway', format: 'pretty' },
  { broken: 'rpc', roles: 'ingest' },
  { broken: 'rpc', roles: 'all' },
];

type Started = { closedPort: number; run: Promise<CliRun> };

/** A config of its own with one endpoint pointing at a closed port (with credentials where a URL can hold them). */
function configFor(broken: Broken, closedPort: number) {
  const stack = getStack();
  const id = randomId('unreachable');
  return {
    chains: [
      {
        chainId: stack.chainId,
        rpc: { http: broken === 'rpc' ? `http://127.0.0.1:${closedPort}/v3/${apiKey}` : stack.rpcHttp },
        confirmations: 0,
        contracts: [{ name: 'Token', address: `0x${randomBytes(20).toString('hex')}`, abi: 'erc20' }],
      },
    ],
    kafka: {
      brokers: broken === 'kafka' ? [`127.0.0.1:${closedPort}`] : stack.kafkaBrokers,
      topicPrefix: id,
      partitions: 1,
    },
    redis: {
      url: broken === 'redis' ? `redis://blockwire:${secret}@127.0.0.1:${closedPort}` : stack.redisUrl,
      keyPrefix: `${id}:`,
    },
    process: { groupId: `${id}-group`, sessionTimeoutMs: 6_000 },
    gateway: { host: '127.0.0.1', port: 0 },
    connectTimeoutMs,
  };
}

/** The one line every role ends with, whichever dependency it could not reach. */
function finalLinePattern(broken: Broken, roles: string, closedPort: number): RegExp {
  const role = roles === 'all' ? '(ingest|process|gateway)' : roles;
  const what = {
    kafka: `Kafka at 127\\.0\\.0\\.1:${closedPort}`,
    redis: `Redis at redis://127\\.0\\.0\\.1:${closedPort}`,
    rpc: `the RPC endpoint of chain ${getStack().chainId} at http://127\\.0\\.0\\.1:${closedPort}`,
  }[broken];
  const check = {
    kafka:
      'that the brokers are running and reachable from here, and kafka\\.brokers in the config \\(KAFKA_BROKERS in the examples\\)',
    redis:
      'that Redis is running and reachable from here, and redis\\.url in the config \\(REDIS_URL in the examples\\)',
    rpc: 'that the node is running and reachable from here, and chains\\[0\\]\\.rpc\\.http in the config \\(RPC_HTTP_URL in the examples\\)',
  }[broken];
  return new RegExp(`^blockwire: ${role}: ${what} did not answer within 15 s.*\\. Check ${check}\\.$`);
}

describe('blockwire start when a dependency does not answer', () => {
  const started = new Map<Case, Started>();

  // Every case runs at once: each waits out the same connect deadline.
  beforeAll(async () => {
    for (const each of cases) {
      const closedPort = await freePort();
      const run = runCliToExit({
        args: ['start', '--role', each.roles, '--log-format', each.format ?? 'json'],
        config: configFor(each.broken, closedPort),
        killAfterMs: connectTimeoutMs + 90_000,
      });
      run.catch(() => {});
      started.set(each, { closedPort, run });
    }
  });

  it.each(cases)(
    'exits with one line naming the role, the endpoint and what to check: $broken down, --role $roles',
    async (each) => {
      const { closedPort, run } = started.get(each)!;
      const { code, lines, output, elapsedMs, logFile } = await run;
      const context = `(output: ${logFile})`;
      expect(code, context).toBe(1);
      expect(lines.at(-1), context).toMatch(finalLinePattern(each.broken, each.roles, closedPort));
      // Said once, at the end: no role reports it twice, and nothing comes after it.
      expect(
        lines.filter((line) => line.startsWith('blockwire: ')),
        context,
      ).toHaveLength(1);
      // No password or API key anywhere, log lines included.
      expect(output, context).not.toContain(secret);
      expect(output, context).not.toContain(apiKey);
      // Started, waited for the deadline, stopped: bounded well above the deadline even on a loaded machine.
      expect(elapsedMs).toBeGreaterThanOrEqual(connectTimeoutMs);
      expect(elapsedMs).toBeLessThan(connectTimeoutMs + 60_000);
      if (each.format === 'pretty') {
        // Readable lines for a person: no JSON objects, the level spelled out.
        expect(
          lines.filter((line) => line.startsWith('{')),
          context,
        ).toEqual([]);
        expect(output).toMatch(/ WARN: \[gateway\] Redis connection error/);
      } else {
        // JSON lines before the final sentence, the fatal error among them for log collectors.
        const json = lines.slice(0, -1).map((line) => JSON.parse(line) as { level: number; code?: string });
        expect(json.at(-1)).toMatchObject({ level: 50, code: `${each.broken.toUpperCase()}_UNREACHABLE` });
      }
    },
  );
});
