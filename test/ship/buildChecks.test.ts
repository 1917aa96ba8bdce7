import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMissingAssets } from '../../scripts/build/findMissingAssets.ts';
import { findUndeclaredImports } from '../../scripts/build/findUndeclaredImports.ts';

// `npm run build` refuses a dist/ that would break only once installed: these are its two checks,
// run on small compiled trees.
const dirs: string[] = [];

/** A temp folder holding `files` (path → content). */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-build-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('build check: run-time assets', () => {
  const scripts = "const luaDir = new URL('./lua/', import.meta.url);\n";
  const page = "readFileSync(new URL('./dashboard.html', import.meta.url));\n";

  it('names a file or folder a compiled module locates next to itself but dist/ lacks', () => {
    const dist = tree({ 'process/scripts.js': scripts, 'dashboard/index.js': page });
    expect(findMissingAssets(dist)).toEqual([
      'dashboard/index.js: dashboard/dashboard.html',
      'process/scripts.js: process/lua',
    ]);
  });

  it('passes once the assets are copied', () => {
    const dist = tree({
      'process/scripts.js': scripts,
      'process/lua/apply.lua': 'return 1',
      'dashboard/index.js': page,
      'dashboard/dashboard.html': '<html></html>',
    });
    expect(findMissingAssets(dist)).toEqual([]);
  });
});

describe('build check: production dependencies', () => {
  const module = [
    "import { createPublicClient } from 'viem';",
    "import { mnemonicToAccount } from 'viem/accounts';",
    "export { Kafka } from 'kafkajs';",
    "import { readFileSync } from 'node:fs';",
    "import { join } from 'path';",
    "import { local } from './local.js';",
    "const tsx = await import('tsx/esm/api');",
    "const abi = [{ name: 'from', type: 'address' }];",
  ].join('\n');

  it('names every package a compiled module imports that is not a production dependency', () => {
    const dist = tree({ 'cli/main.js': module });
    expect(findUndeclaredImports(dist, ['viem'])).toEqual(['cli/main.js: kafkajs', 'cli/main.js: tsx']);
  });

  it('passes when every imported package is a dependency', () => {
    const dist = tree({ 'cli/main.js': module });
    expect(findUndeclaredImports(dist, ['viem', 'kafkajs', 'tsx'])).toEqual([]);
  });
});
