import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../src/dev-stack/freePort.ts';
import { isRedisReachable } from '../../../src/dev-stack/redis.ts';
import { waitFor } from '../../../src/dev-stack/waitFor.ts';

/** A redis-server owned by one test file (FLUSHALL and restarts never touch the shared Redis). */
export type PrivateRedis = {
  url: string;
  /** Kills the server (SIGKILL); the append-only file keeps every acknowledged write. */
  kill(): Promise<void>;
  /** Starts the server again on the same port and data folder. */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

/** Starts redis-server on a free port with an fsync-always append-only file in a temp folder. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bw-process-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(() => isRedisReachable(url, 1_000), {
      description: `private redis-server on ${port}`,
      timeoutMs: 20_000,
    });
  };
  const kill = async () => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url,
    kill,
    restart: launch,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
