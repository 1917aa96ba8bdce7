import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Parameters of {@link spawnDev}. */
export type SpawnDevParameters = { env: Record<string, string> };

/** `node bin/blockwire.js dev` running as a child in its own process group, with its output captured. */
export type DevProcess = {
  child: ChildProcess;
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Settles when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the whole process group, as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals): void;
};

/**
 * Starts the README's demo command the way a user runs it (`npm start` = `node bin/blockwire.js dev`),
 * detached so that it leads its own process group like a foreground job in a terminal.
 */
export function spawnDev({ env }: SpawnDevParameters): DevProcess {
  const child = spawn(process.execPath, ['bin/blockwire.js', 'dev'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('node bin/blockwire.js dev did not start');
  const pid = child.pid;
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    // Keep the last ~2 MB: the roles log one JSON line per block.
    if (output.length > 4_000_000) output = output.slice(-2_000_000);
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let hasExited = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      hasExited = true;
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  return {
    child,
    pid,
    output: () => output,
    exited,
    signal(signal) {
      try {
        process.kill(-pid, signal);
      } catch {}
    },
    waitForLine(pattern, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = output.split('\n').find((candidate) => pattern.test(candidate));
          if (line !== undefined) return finish(() => resolve(line));
          if (hasExited)
            return finish(() => reject(new Error(`blockwire dev exited before printing ${pattern}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`blockwire dev printed no line matching ${pattern} within ${timeoutMs} ms`)),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      });
    },
  };
}
