import { fileURLToPath } from 'node:url';

/** Root of the blockwire checkout (two levels above this file). */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** Folder for caches, data and logs of the local stack: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
export function resolveStackDir(stackDir?: string): string {
  return stackDir ?? process.env.BLOCKWIRE_STACK_DIR ?? `${repoRoot}/.stack`;
}
