import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { type DemoContracts, deployDemoContracts, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { userEnv } from './support/userEnv.ts';

const repoRoot = join(import.meta.dirname, '../..');
const execFileAsync = promisify(execFile);

/** Runs a command to completion (without blocking this worker); throws with its output when it fails. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, {
      cwd,
      env: userEnv(),
      encoding: 'utf8',
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${`${stdout}${stderr}`.slice(-4000)}`, {
      cause: error,
    });
  }
}

/** `npm pack` of this checkout (its prepack builds dist/), installed with `--omit=dev` into `dir`. */
async function packAndInstall(dir: string): Promise<void> {
  const packDir = join(dir, 'pack');
  const appDir = join(dir, 'app');
  mkdirSync(packDir);
  mkdirSync(appDir);
  await run('npm', ['pack', '--pack-destination', packDir], repoRoot);
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const tarball = join(packDir, `${name}-${version}.tgz`);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  // The npm cache already holds every dependency (the checkout's `npm ci` put them there).
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], appDir);
}

let dir: string;
let appDir: string;
let chain: TestChain;
let contracts: DemoContracts;
let holder: Address;
let cli: ChildProcess | undefined;
let cliExit: Promise<number | null> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bw-packed-'));
  appDir = join(dir, 'app');
  const [startedChain] = await Promise.all([startTestChain(), packAndInstall(dir)]);
  chain = startedChain;
  const deployer = chain.walletClients[0]!;
  contracts = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: deployer });
  holder = chain.walletClients[1]!.account.address;
  const hash = await deployer.writeContract({
    ...contracts.erc20,
    functionName: 'mint',
    args: [holder, 1234n],
  });
  await chain.publicClient.waitForTransactionReceipt({ hash });
}, 300_000);

afterAll(async () => {
  if (cli?.pid !== undefined && cli.exitCode === null) {
    cli.kill('SIGKILL');
    await cliExit;
  }
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A config of its own (topics, group, keys) for the installed CLI, tracking the demo ERC-20. */
function writeConfig(gatewayPort: number): string {
  const stack = getStack();
  const id = randomId('packed');
  const path = join(appDir, 'blockwire.json');
  writeFileSync(
    path,
    JSON.stringify({
      chains: [
        {
          chainId: chain.chainId,
          rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
          confirmations: 0,
          pollIntervalMs: 200,
          contracts: [
            {
              name: 'DemoToken',
              address: contracts.erc20.address,
              abi: 'erc20',
              startBlock: Number(contracts.erc20.startBlock),
            },
          ],
        },
      ],
      kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
      redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
      process: { groupId: `${id}.process` },
      gateway: { host: '127.0.0.1', port: gatewayPort },
    }),
  );
  return path;
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

describe('the npm package, installed from its tarball with --omit=dev', () => {
  it('holds the compiled CLI and no TypeScript sources, and installs no build or test tool', () => {
    const installed = join(appDir, 'node_modules');
    expect(existsSync(join(installed, 'blockwire/dist/cli/main.js'))).toBe(true);
    expect(existsSync(join(installed, 'blockwire/src'))).toBe(false);
    for (const tool of ['tsx', 'typescript', 'esbuild', 'vitest', 'hardhat', 'solc']) {
      expect(existsSync(join(installed, tool)), `${tool} installed`).toBe(false);
    }
  });

  it('validates a config with `npx blockwire config check`', async () => {
    const config = writeConfig(await freePort());
    const output = await run('npx', ['--no', 'blockwire', 'config', 'check', '--config', config], appDir);
    expect(output).toContain(`${config}: valid (1 chain(s), 1 contract(s))`);
  });

  it('runs ingest, process and gateway with `blockwire start --role all` and serves chain data over GraphQL', async () => {
    const gatewayPort = await freePort();
    const config = writeConfig(gatewayPort);
    cli = spawn(join(appDir, 'node_modules/.bin/blockwire'), ['start', '--role', 'all', '--config', config], {
      cwd: appDir,
      env: userEnv({ LOG_LEVEL: 'info', METRICS_PORT: String(await freePort()) }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    cli.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk));
    cli.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk));
    const started = cli;
    cliExit = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
    const output = () => Buffer.concat(chunks).toString('utf8');
    const exitedEarly = () =>
      started.exitCode !== null
        ? `blockwire exited with ${started.exitCode}:\n${output().slice(-4000)}`
        : undefined;

    const url = `http://127.0.0.1:${gatewayPort}/graphql`;
    const token = await waitFor(
      async () => {
        const data = await graphql<{
          erc20Token: { totalSupply: string; transferCount: string; balanceOf: string };
        }>(
          url,
          'query ($chainId: Int!, $token: Address!, $holder: Address!) { erc20Token(chainId: $chainId, address: $token) { totalSupply transferCount balanceOf(holder: $holder) } }',
          { chainId: chain.chainId, token: contracts.erc20.address, holder },
        );
        return data.erc20Token.transferCount === '1' ? data.erc20Token : undefined;
      },
      {
        description: 'the mint served by the installed gateway',
        timeoutMs: 90_000,
        intervalMs: 500,
        abort: exitedEarly,
      },
    );
    expect(token).toEqual({ totalSupply: '1234', transferCount: '1', balanceOf: '1234' });

    // The dashboard page and its browser bundle are assets of the package, read at run time.
    const page = await fetch(`http://127.0.0.1:${gatewayPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('dashboard.js');
    const bundle = await fetch(`http://127.0.0.1:${gatewayPort}/dashboard.js`);
    expect(bundle.status).toBe(200);
    // GraphiQL's files come from a production dependency and are served by the gateway (no CDN).
    const graphiql = await fetch(url, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    const graphiqlPage = await graphiql.text();
    expect(graphiqlPage).not.toMatch(/https?:\/\//);
    const graphiqlFiles = [...graphiqlPage.matchAll(/"(\/graphiql\/[^"]+)"/g)].map((match) => match[1]!);
    expect(graphiqlFiles.length).toBeGreaterThanOrEqual(5);
    for (const file of new Set(graphiqlFiles)) {
      const served = await fetch(`http://127.0.0.1:${gatewayPort}${file}`);
      expect(served.status, file).toBe(200);
      await served.arrayBuffer();
    }

    // Ctrl-C (SIGTERM under a process manager) stops every role cleanly.
    started.kill('SIGTERM');
    expect(await cliExit, output().slice(-4000)).toBe(0);
  });
});
