import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { DevStackInfo } from './index.ts';
import { resolveStackDir } from './paths.ts';

/** What `stack:up` records in `<stackDir>/stack.json` while it runs. */
export type StackState = DevStackInfo & {
  pid: number;
  startedAt: string;
  /** Startup nodes (`host:port`) of the Redis Cluster started with `--redis-cluster N`. */
  redisCluster?: string[] | undefined;
};

/** Reads, writes and removes `<stackDir>/stack.json`, the record of a running `stack:up`. */
export function createStackStateFile(stackDir?: string) {
  const file = `${resolveStackDir(stackDir)}/stack.json`;
  return {
    file,
    /** The recorded stack when its `stack:up` process is still alive, else `undefined`. */
    read(): StackState | undefined {
      if (!existsSync(file)) return undefined;
      try {
        const state = JSON.parse(readFileSync(file, 'utf8')) as StackState;
        process.kill(state.pid, 0);
        return state;
      } catch {
        return undefined;
      }
    },
    write(state: StackState): void {
      writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    },
    remove(): void {
      rmSync(file, { force: true });
    },
  };
}
