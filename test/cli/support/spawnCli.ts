import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/dev-stack/freePort.ts';
import { waitFor } from '../../../src/dev-stack/waitFor.ts';
import { randomId } from '../../support/random.ts';

const cli = fileURLToPath(new URL('../../../bin/blockwire.js', import.meta.url));

/** A `/readyz` answer. */
export type ReadyzAnswer = {
  status: number;
  body: {
    ready: boolean;
    reason?: string;
    roles: Record<
      string,
      {
        ready: boolean;
        reason?: string;
        kafka?: { state: string; error?: string };
        redis?: { state: string; error?: string };
      }
    >;
  };
};

/** `blockwire start` running as a child process. */
export type SpawnedCli = {
  child: ChildProcess;
  /** Exit code once it exited. */
  exited: Promise<number | null>;
  /** The file its stdout and stderr go to. */
  logFile: string;
  /** Asks `/readyz` on `readyzPort`; undefined while nothing listens there yet. */
  readyz(): Promise<ReadyzAnswer | undefined>;
  /** Waits until `/readyz` answers something `accept` returns true for; fails early if the CLI exits. */
  waitForReadyz(accept: (answer: ReadyzAnswer) => boolean, description: string): Promise<ReadyzAnswer>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

/** Parameters of {@link spawnCli}. */
export type SpawnCliParameters = {
  args: string[];
  /** The config, written to a temp JSON file passed with `--config`. */
  config: unknown;
  /**
   * Where `/readyz` is asked: a port the config serves it on (`gateway.port` or `ops.port`). Default:
   * a free port, given to the CLI as `METRICS_PORT`.
   */
  readyzPort?: number;
};

/** Starts `node bin/blockwire.js <args> --config <file>` with its output in a temp log file. */
export async function spawnCli({ args, config, readyzPort }: SpawnCliParameters): Promise<SpawnedCli> {
  const id = randomId('cli');
  const configPath = join(tmpdir(), `${id}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const logFile = join(tmpdir(), `${id}.log`);
  const metricsPort = readyzPort ?? (await freePort());
  const child = spawn(process.execPath, [cli, ...args, '--config', configPath], {
    env: {
      ...process.env,
      // Empty (ignored) when the config names the port: METRICS_PORT would take precedence over it.
      METRICS_PORT: readyzPort === undefined ? String(metricsPort) : '',
      LOG_LEVEL: 'info',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      VITEST: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );

  async function readyz(): Promise<ReadyzAnswer | undefined> {
    try {
      const response = await fetch(`http://127.0.0.1:${metricsPort}/readyz`, {
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: (await response.json()) as ReadyzAnswer['body'] };
    } catch {
      return undefined;
    }
  }

  return {
    child,
    exited,
    logFile,
    readyz,
    async waitForReadyz(accept, description) {
      let last: ReadyzAnswer | undefined;
      try {
        return await waitFor(
          async () => {
            last = await readyz();
            return last && accept(last) ? last : undefined;
          },
          {
            description,
            timeoutMs: 90_000,
            intervalMs: 250,
            abort: () =>
              exitCode !== undefined ? `the CLI exited with ${exitCode} (log: ${logFile})` : undefined,
          },
        );
      } catch (error) {
        throw new Error(
          `${(error as Error).message}; last /readyz: ${JSON.stringify(last)} (log: ${logFile})`,
          { cause: error },
        );
      }
    },
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
  };
}
