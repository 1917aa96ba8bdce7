import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../../bin/blockwire.js', import.meta.url));

/** A processor running as a child process through the CLI. */
export type SpawnedProcessor = {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves once the instance consumes events.confirmed (it joined the group under an epoch). */
  consuming: Promise<void>;
};

/** Starts `blockwire start --role process --config <path>` with its output appended to `logFile`. */
export function spawnProcessor(configPath: string, logFile: string): SpawnedProcessor {
  const child = spawn(process.execPath, [cli, 'start', '--role', 'process', '--config', configPath], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      VITEST: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const consuming = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Consuming events.confirmed')) resolve();
    });
    void exited.then((code) =>
      reject(new Error(`processor exited with ${code} before consuming (log: ${logFile})`)),
    );
  });
  consuming.catch(() => {});
  return { child, exited, consuming };
}
