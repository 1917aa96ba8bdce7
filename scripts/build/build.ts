/**
 * `npm run build`: compiles src/ to dist/ with tsc (tsconfig.build.json: ESM, `.ts` imports rewritten
 * to `.js`, source maps with the sources inlined) and copies the files the code reads at run time next
 * to the compiled modules, so that `new URL('./x', import.meta.url)` finds them in dist/ as it does in
 * src/. Fails when a run-time asset the compiled code names is missing from dist/, or when it imports a
 * package that is not a production dependency (`npm install --omit=dev` would leave it out).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findMissingAssets } from './findMissingAssets.ts';
import { findUndeclaredImports } from './findUndeclaredImports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

/** Files under src/ that the code reads at run time (paths relative to src/, folders end with `/`). */
const assets = ['process/lua/', 'dashboard/dashboard.html', 'dashboard/dist/dashboard.js'];

function compile(): void {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status})`);
}

function copyAssets(): void {
  for (const asset of assets) {
    const from = join(src, asset);
    const to = join(dist, asset);
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true });
  }
}

function countFiles(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).length;
}

/** Stops the build with `problem` and the offending entries. */
function fail(problem: string, entries: string[]): never {
  process.stderr.write(`build: ${problem}:\n${entries.map((each) => `  ${each}`).join('\n')}\n`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
compile();
copyAssets();
const self = relative(root, fileURLToPath(import.meta.url));
const missing = findMissingAssets(dist);
if (missing.length > 0) {
  fail(`the compiled code reads files that are not in dist/ (add them to the assets in ${self})`, missing);
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const undeclared = findUndeclaredImports(dist, Object.keys(manifest.dependencies ?? {}));
if (undeclared.length > 0) {
  fail('the compiled code imports packages that are not in "dependencies" of package.json', undeclared);
}
process.stdout.write(`build: wrote ${countFiles(dist)} files to dist/\n`);
