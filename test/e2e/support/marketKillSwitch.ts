/**
 * SIGKILLs a process the moment a Redis hash field passes a value, from a separate small process:
 * the test's own event loop also runs the ingestor and the gateway, and while a burst of events is
 * published and fanned out it answers too late to catch a processor between two of its pipelines.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

// Plain ESM run by node itself (no TypeScript loader, so it starts in a few hundred milliseconds).
const script = `
import { Redis } from 'ioredis';
const [url, key, field, above, pid] = process.argv.slice(1);
const redis = new Redis(url);
await redis.ping();
process.stdout.write('armed\\n');
for (;;) {
  const value = Number((await redis.hget(key, field)) ?? 0);
  if (value > Number(above)) {
    process.kill(Number(pid), 'SIGKILL');
    process.stdout.write('fired ' + value + '\\n');
    break;
  }
}
redis.disconnect();
`;

/** Parameters of {@link armKillSwitch}. */
export type ArmKillSwitchParameters = {
  redisUrl: string;
  key: string;
  field: string;
  /** Fires once the field's numeric value exceeds this. */
  above: number;
  pid: number;
};

/** An armed switch. */
export type KillSwitch = {
  /** The value seen when it fired. Rejects after `timeoutMs`. */
  fired(timeoutMs: number): Promise<number>;
  /** Stops the watcher if it has not fired. */
  disarm(): void;
};

/** Starts the watcher and resolves once it polls. */
export async function armKillSwitch({
  redisUrl,
  key,
  field,
  above,
  pid,
}: ArmKillSwitchParameters): Promise<KillSwitch> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--input-type=module', '-e', script, redisUrl, key, field, String(above), String(pid)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  let errors = '';
  const lines: ((text: string) => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of lines) listener(output);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const until = (pattern: RegExp, timeoutMs: number) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kill switch: no ${pattern} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const check = (text: string) => {
        const match = text.match(pattern);
        if (match) {
          clearTimeout(timer);
          resolve(match);
        }
      };
      lines.push(check);
      check(output);
      void exited.then((code) => {
        clearTimeout(timer);
        if (!output.match(pattern)) reject(new Error(`kill switch exited with ${code}: ${errors}`));
      });
    });
  await until(/armed/, 20_000);
  return {
    async fired(timeoutMs) {
      try {
        const match = await until(/fired (\d+)/, timeoutMs);
        return Number(match[1]);
      } finally {
        child.kill('SIGKILL');
      }
    },
    disarm: () => child.kill('SIGKILL'),
  };
}
