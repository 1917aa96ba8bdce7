import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const sourceDirs = ['src', 'test', 'bench', 'scripts', 'bin'];
const sourceFiles = /\.(ts|mts|cts|js|mjs|cjs)$/;
// Module specifiers of import/export statements (single or the last line of a multi-line one),
// side-effect imports, dynamic imports and requires.
const specifierPatterns = [
  /^\s*(?:import|export)\b[^'"\n]*?\bfrom\s*['"]([^'"\s]+)['"]/gm,
  /^\s*\}\s*from\s*['"]([^'"\s]+)['"]/gm,
  /^\s*import\s*['"]([^'"\s]+)['"]/gm,
  /\b(?:import|require)\(\s*['"]([^'"\s]+)['"]\s*\)/g,
];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (sourceFiles.test(name)) out.push(path);
  }
  return out;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  return builtinModules.includes(name) ? undefined : name;
}

describe('package.json', () => {
  it('declares every package the code, tests, benchmarks and scripts import', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const declared = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.devDependencies ?? {}),
    ]);
    const files = [...sourceDirs.flatMap((dir) => listFiles(join(root, dir))), join(root, 'codegen.ts')];
    const undeclared: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of specifierPatterns) {
        for (const match of text.matchAll(pattern)) {
          const name = packageOf(match[1]!);
          if (name && !declared.has(name)) undeclared.push(`${relative(root, file)}: ${name}`);
        }
      }
    }
    expect(undeclared).toEqual([]);
  });
});
