import { mkdirSync, rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { StackError } from '../shared/errors/index.ts';
import { createLogger, redactUrl } from '../shared/logger.ts';
import { findExecutable } from './findExecutable.ts';
import { freePort } from './freePort.ts';
import { createManagedProcess } from './managedProcess.ts';
import { resolveStackDir } from './paths.ts';
import { waitFor } from './waitFor.ts';

const log = createLogger('dev-stack.redis');

/** Parameters of {@link startRedis}. */
export type StartRedisParameters = {
  /** Use this Redis when it answers PING. Default: `REDIS_URL`. */
  url?: string | undefined;
  /** Port of a redis-server started here. Default: `BLOCKWIRE_REDIS_PORT` or a free port. */
  port?: number | undefined;
  /** Data and log folder. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
  /** How long to wait for the server. Default 20 000 ms. */
  timeoutMs?: number | undefined;
};

/** A reachable Redis, started here or found running. */
export type RedisHandle = {
  url: string;
  /** `true` when this call started redis-server (and `stop()` will stop it). */
  started: boolean;
  stop(): Promise<void>;
};

/** Resolves `true` when the Redis at `url` answers PING within `timeoutMs`. */
export async function isRedisReachable(url: string, timeoutMs = 2_000): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Returns a reachable Redis: `REDIS_URL` when it answers, otherwise a `redis-server` without
 * persistence on a free port.
 */
export async function startRedis(parameters: StartRedisParameters = {}): Promise<RedisHandle> {
  const configured = parameters.url ?? process.env.REDIS_URL;
  if (configured) {
    if (await isRedisReachable(configured)) {
      log.info({ msg: 'Using running Redis', url: redactUrl(configured) });
      return { url: configured, started: false, stop: async () => {} };
    }
    log.warn({ msg: 'Configured Redis does not answer; starting redis-server', url: redactUrl(configured) });
  }
  const binary = findExecutable('redis-server');
  if (!binary) {
    throw new StackError(
      'redis-server not found on PATH: install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL',
      { code: 'STACK_REDIS_MISSING' },
    );
  }
  const envPort = process.env.BLOCKWIRE_REDIS_PORT ? Number(process.env.BLOCKWIRE_REDIS_PORT) : undefined;
  const port = parameters.port ?? envPort ?? (await freePort());
  const dir = `${resolveStackDir(parameters.stackDir)}/redis/data-${port}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const server = createManagedProcess({
    name: 'redis',
    command: binary,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    logFile: `${dir}/redis.log`,
    cwd: dir,
  });
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  log.info({ msg: 'Starting redis-server', port, pid: server.pid });
  try {
    await waitFor(() => isRedisReachable(url, 1_000), {
      description: `Redis on 127.0.0.1:${port}`,
      timeoutMs: parameters.timeoutMs ?? 20_000,
      intervalMs: 100,
      abort: () => {
        const reason = server.exitReason();
        return reason && `redis-server ${reason}:\n${server.logTail()}`;
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, started: true, stop };
}
