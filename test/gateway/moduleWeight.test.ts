import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The packages a module graph loads, by name (a module-loading hook lists every file under
 * node_modules that Node loads while importing `entry` through tsx).
 */
function packagesLoadedBy(entry: string): Set<string> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-modules-'));
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `export async function load(url, context, next) {
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(url);
  if (match) process.stderr.write('LOADED ' + match[1] + '\\n');
  return next(url, context);
}
`,
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      register,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(entry).href)});`,
    ],
    { encoding: 'utf8', cwd: process.cwd() },
  );
  if (result.status !== 0) throw new Error(`importing ${entry} failed: ${result.stderr}`);
  return new Set([...result.stderr.matchAll(/^LOADED (.+)$/gm)].map((match) => match[1]!));
}

describe('what the gateway loads', () => {
  it('loads neither viem nor jose (about 40 MB of memory it does not need)', { timeout: 60_000 }, () => {
    const loaded = packagesLoadedBy(join(process.cwd(), 'src/gateway/index.ts'));
    // The hook works: the gateway's own packages are seen.
    expect(loaded.has('graphql-yoga')).toBe(true);
    expect(loaded.has('ioredis')).toBe(true);
    expect(
      [...loaded].filter((name) => ['viem', 'ox', 'abitype', 'jose', '@noble/curves'].includes(name)),
    ).toEqual([]);
  });
});
