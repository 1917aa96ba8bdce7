import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomId } from '../../support/random.ts';

const cli = fileURLToPath(new URL('../../../bin/blockwire.js', import.meta.url));

/** How a CLI run ended. */
export type CliRun = {
  code: number | null;
  /** stdout and stderr as one stream, in the order the CLI wrote them. */
  output: string;
  /** Its non-empty lines. */
  lines: string[];
  elapsedMs: number;
  logFile: string;
};

/** Parameters of {@link runCliToExit}. */
export type RunCliToExitParameters = {
  args: string[];
  /** The config, written to a temp JSON file passed with `--config`. */
  config: unknown;
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long, so a hanging CLI fails the test instead of stalling it. */
  killAfterMs: number;
};

/**
 * Runs `node bin/blockwire.js <args> --config <file>` until it exits. stdout and stderr share one
 * file, so the lines keep the order they were written in (the last line is really the last).
 */
export async function runCliToExit({
  args,
  config,
  env = {},
  killAfterMs,
}: RunCliToExitParameters): Promise<CliRun> {
  const id = randomId('cli-exit');
  const configPath = join(tmpdir(), `${id}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const logFile = join(tmpdir(), `${id}.log`);
  const fd = openSync(logFile, 'w');
  const startedAt = Date.now();
  try {
    const child = spawn(process.execPath, [cli, ...args, '--config', configPath], {
      env: { ...process.env, LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', VITEST: '', ...env },
      stdio: ['ignore', fd, fd],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    clearTimeout(timer);
    const output = readFileSync(logFile, 'utf8');
    return {
      code,
      output,
      lines: output.split('\n').filter((line) => line.trim() !== ''),
      elapsedMs: Date.now() - startedAt,
      logFile,
    };
  } finally {
    closeSync(fd);
  }
}
