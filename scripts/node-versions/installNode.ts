import { execFile } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveStackDir } from '../../src/dev-stack/paths.ts';

const execFileAsync = promisify(execFile);

/** Parameters of {@link installNode}. */
export type InstallNodeParameters = {
  /** Release line, e.g. 22: the newest 22.x the npm registry's `node` package offers. */
  major: number;
  /** Cache folder root. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
};

/** A Node binary other than the one running. */
export type InstalledNode = { path: string; version: string };

/**
 * A Node binary of release line `major`, from the npm registry's `node` package (its install script
 * fetches the platform's binary package), cached under `<stackDir>/node/<major>`: only the first call
 * downloads. Delete that folder to move to a newer release of the line.
 */
export async function installNode({ major, stackDir }: InstallNodeParameters): Promise<InstalledNode> {
  const dir = join(resolveStackDir(stackDir), 'node', String(major));
  const binaryIn = (root: string) => join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(binaryIn(dir))) {
    // Installed beside the cache and renamed into it, so an interrupted download is never used.
    const temp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    try {
      await execFileAsync(
        'npm',
        [
          'install',
          '--prefix',
          temp,
          '--no-save',
          '--no-package-lock',
          '--no-audit',
          '--no-fund',
          `node@${major}`,
        ],
        { encoding: 'utf8', timeout: 300_000 },
      );
      if (!existsSync(binaryIn(temp))) {
        throw new Error(
          `npm installed node@${major} without its binary: the package's preinstall script must be allowed to run`,
        );
      }
      if (!existsSync(binaryIn(dir))) renameSync(temp, dir);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  const path = binaryIn(dir);
  const { stdout } = await execFileAsync(path, ['--version'], { encoding: 'utf8' });
  const version = stdout.trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${path} is ${version}, not Node ${major}`);
  return { path, version };
}
