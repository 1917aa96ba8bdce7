import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installNode } from '../../scripts/node-versions/installNode.ts';
import { findExecutable } from '../../src/dev-stack/findExecutable.ts';
import { userEnv } from './support/userEnv.ts';

const execFileAsync = promisify(execFile);
const repoRoot = join(import.meta.dirname, '../..');

/**
 * The `EBADENGINE` lines `npm ci` prints in this checkout on Node `major` (this machine's npm, run by
 * that Node). `--dry-run` resolves the same tree from the lockfile and checks the same `engines`
 * fields without touching node_modules: on Node 20 it prints the same 160 lines as a real `npm ci`.
 */
async function engineWarnings(major: number): Promise<string[]> {
  const node = await installNode({ major });
  // npm's own script (set under `npm test`), else the `npm` on the PATH, which links to it.
  const npm = process.env.npm_execpath ?? realpathSync(findExecutable('npm') ?? 'npm');
  const { stdout, stderr } = await execFileAsync(
    node.path,
    [npm, 'ci', '--dry-run', '--no-audit', '--no-fund'],
    { cwd: repoRoot, env: userEnv({}, node.path), encoding: 'utf8', timeout: 120_000 },
  );
  return `${stdout}${stderr}`.split('\n').filter((line) => line.includes('EBADENGINE'));
}

describe('npm ci and the Node versions the README recommends', { timeout: 300_000 }, () => {
  it.each([22, 24])('prints no EBADENGINE warning on Node %i', async (major) => {
    expect(await engineWarnings(major)).toEqual([]);
  });

  it('warns on Node 20, whose support graphql-yoga’s @whatwg-node dependencies dropped', async () => {
    const warnings = await engineWarnings(20);
    expect(warnings.join('\n')).toContain("required: { node: '>=22.15.0' }");
  });
});
