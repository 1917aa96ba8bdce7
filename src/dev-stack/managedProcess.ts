import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StackError } from '../shared/errors/index.ts';

/** Parameters of {@link createManagedProcess}. */
export type ManagedProcessParameters = {
  /** Short name used in messages, e.g. `kafka`. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Time between SIGTERM and SIGKILL in `stop()`. Default 10 000 ms. */
  killTimeoutMs?: number;
};

/** A child process that runs in its own process group and is killed with it. */
export type ManagedProcess = {
  name: string;
  pid: number;
  logFile: string;
  /** Why the process is gone (`exited with code 1`), or `undefined` while it runs. */
  exitReason(): string | undefined;
  /** The last lines of the log file, for error messages. */
  logTail(lines?: number): string;
  /** SIGTERM to the whole group, SIGKILL after the timeout. Resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL to the whole group at once, as a crash would. Resolves once the process has exited. */
  kill(): Promise<void>;
};

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the whole group, so grandchildren (e.g. a JVM started by a wrapper) die too.
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL whatever is still running so that a crashed or
  // interrupted parent leaves nothing listening.
  process.on('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
  // A signal ends Node without 'exit' when nobody listens for it, and the children live in their
  // own process groups, so a terminal's Ctrl-C does not reach them. When nobody else (vitest, the
  // CLI) handles the signal, kill them and let the signal take its default course.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      if (process.listenerCount(signal) > 1) return;
      process.off(signal, onSignal);
      for (const child of running) killGroup(child, 'SIGKILL');
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Spawns `command` detached in a new process group with its output going to `logFile`. */
export function createManagedProcess(parameters: ManagedProcessParameters): ManagedProcess {
  const { name, command, args, logFile, env, cwd, killTimeoutMs = 10_000 } = parameters;
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd, env: env ?? process.env, detached: true, stdio: ['ignore', fd, fd] });
  } catch (error) {
    throw new StackError(`Could not start ${name} (${command})`, { cause: error });
  }
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      running.delete(child);
      resolve();
    });
    child.once('error', (error) => {
      exitReason = `failed to start: ${error.message}`;
      running.delete(child);
      resolve();
    });
  });
  running.add(child);
  installExitHook();
  // Our own event loop must not wait for the children.
  child.unref();

  return {
    name,
    pid: child.pid ?? -1,
    logFile,
    exitReason: () => exitReason,
    logTail(lines = 30) {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop() {
      if (exitReason !== undefined) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), killTimeoutMs);
      await exited;
      clearTimeout(timer);
      // A group member that ignored SIGTERM must not outlive its leader.
      killGroup(child, 'SIGKILL');
    },
    async kill() {
      if (exitReason !== undefined) return;
      killGroup(child, 'SIGKILL');
      await exited;
    },
  };
}
