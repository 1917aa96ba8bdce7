import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const repoRoot = join(import.meta.dirname, '../../..');

/** An ingestor running as a child process through the CLI. */
export type IngestProcess = {
  child: ChildProcess;
  /** Parsed JSON log lines so far. */
  lines: Record<string, unknown>[];
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals | null>;
  kill(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
};

/** Starts `node bin/blockwire.js start --role ingest --config <file>`. */
export function spawnIngest(configFile: string, env: Record<string, string> = {}): IngestProcess {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/blockwire.js'), 'start', '--role', 'ingest', '--config', configFile],
    {
      cwd: repoRoot,
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        VITEST: '',
        LOG_LEVEL: 'info',
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: Record<string, unknown>[] = [];
  let buffer = '';
  const logFile = process.env.INGEST_TEST_LOG;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) {
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (logFile) appendFileSync(logFile, chunk);
    lines.push({ stderr: chunk.toString('utf8') });
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    lines,
    exited,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Whether the ingestor logged a line whose message contains `text`. */
export function hasLine(ingest: IngestProcess, text: string): boolean {
  return ingest.lines.some((line) => String(line.msg ?? '').includes(text));
}

/** Waits until the ingestor logs a line containing `text`; fails early if it exits. */
export async function waitForLine(ingest: IngestProcess, text: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!hasLine(ingest, text)) {
    if (ingest.child.exitCode !== null || ingest.child.signalCode !== null) {
      const tail = ingest.lines
        .slice(-5)
        .map((line) => JSON.stringify(line))
        .join('\n');
      throw new Error(`The ingestor exited before logging "${text}":\n${tail}`);
    }
    if (Date.now() > deadline) throw new Error(`The ingestor did not log "${text}" within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
