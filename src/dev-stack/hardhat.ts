import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { StackError } from '../shared/errors/index.ts';
import { createLogger, redactUrl } from '../shared/logger.ts';
import { freePort } from './freePort.ts';
import { createManagedProcess } from './managedProcess.ts';
import { repoRoot, resolveStackDir } from './paths.ts';
import { waitFor } from './waitFor.ts';

const log = createLogger('dev-stack.hardhat');

/** Chain id of the Hardhat dev chain. */
export const HARDHAT_CHAIN_ID = 31337;

/** Parameters of {@link startHardhat}. */
export type StartHardhatParameters = {
  /**
   * Use the node at this HTTP URL when it answers `eth_chainId`. Default: `BLOCKWIRE_RPC_HTTP`.
   * Pass `null` to always start a dedicated node (tests that reorg or snapshot).
   */
  rpcHttp?: string | null | undefined;
  /** WebSocket URL of a running node. Default: `BLOCKWIRE_RPC_WS` or the HTTP URL with `ws://`. */
  rpcWs?: string | undefined;
  /** Port of a node started here. Default: a free port. */
  port?: number | undefined;
  /** Log folder. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
  /** How long to wait for the node. Default 60 000 ms. */
  timeoutMs?: number | undefined;
  /** Chain id of a node started here. Default {@link HARDHAT_CHAIN_ID}. */
  chainId?: number | undefined;
};

/** A reachable Hardhat node, started here or found running. */
export type HardhatHandle = {
  rpcHttp: string;
  rpcWs: string;
  chainId: number;
  /** `true` when this call started the node (and `stop()` will stop it). */
  started: boolean;
  stop(): Promise<void>;
};

/** Returns the chain id answered by the JSON-RPC node at `rpcHttp`, or `undefined` when it does not answer. */
export async function fetchChainId(rpcHttp: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const response = await fetch(rpcHttp, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: string };
    return body.result ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns a reachable dev chain: the configured node when it answers, otherwise a Hardhat 2 (EDR)
 * node with automine on chain 31337, HTTP and WebSocket on the same free port.
 */
export async function startHardhat(parameters: StartHardhatParameters = {}): Promise<HardhatHandle> {
  const configured =
    parameters.rpcHttp === null ? undefined : (parameters.rpcHttp ?? process.env.BLOCKWIRE_RPC_HTTP);
  if (configured) {
    const chainId = await fetchChainId(configured);
    if (chainId !== undefined) {
      const rpcWs = parameters.rpcWs ?? process.env.BLOCKWIRE_RPC_WS ?? configured.replace(/^http/, 'ws');
      log.info({ msg: 'Using running chain node', url: redactUrl(configured), chain_id: chainId });
      return { rpcHttp: configured, rpcWs, chainId, started: false, stop: async () => {} };
    }
    log.warn({ msg: 'Configured chain node does not answer; starting Hardhat', url: redactUrl(configured) });
  }

  const require = createRequire(import.meta.url);
  let cli: string;
  try {
    cli = `${dirname(require.resolve('hardhat/package.json'))}/internal/cli/cli.js`;
  } catch (error) {
    throw new StackError('hardhat is not installed: run npm install in the blockwire checkout', {
      cause: error,
    });
  }
  const port = parameters.port ?? (await freePort());
  const stackDir = resolveStackDir(parameters.stackDir);
  const logDir = `${stackDir}/hardhat`;
  mkdirSync(logDir, { recursive: true });
  const node = createManagedProcess({
    name: 'hardhat',
    command: process.execPath,
    args: [
      cli,
      '--config',
      `${repoRoot}/src/dev-stack/hardhat/hardhat.config.cjs`,
      'node',
      '--hostname',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    logFile: `${logDir}/node-${port}.log`,
    cwd: repoRoot,
    env: {
      ...process.env,
      BLOCKWIRE_STACK_DIR: stackDir,
      BLOCKWIRE_HARDHAT_CHAIN_ID: String(parameters.chainId ?? HARDHAT_CHAIN_ID),
      HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true',
      // A node inherited from vitest/tsx must not load their loaders.
      NODE_OPTIONS: '',
    },
    killTimeoutMs: 5_000,
  });
  const rpcHttp = `http://127.0.0.1:${port}`;
  log.info({ msg: 'Starting Hardhat node', port, pid: node.pid });
  let chainId: number;
  try {
    chainId = await waitFor(() => fetchChainId(rpcHttp, 1_000), {
      description: `Hardhat node on 127.0.0.1:${port}`,
      timeoutMs: parameters.timeoutMs ?? 60_000,
      intervalMs: 150,
      abort: () => {
        const reason = node.exitReason();
        return reason && `the node ${reason}:\n${node.logTail()}`;
      },
    });
  } catch (error) {
    await node.stop();
    throw error;
  }
  return { rpcHttp, rpcWs: `ws://127.0.0.1:${port}`, chainId, started: true, stop: () => node.stop() };
}
