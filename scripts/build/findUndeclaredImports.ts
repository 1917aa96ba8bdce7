import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

// Static imports and re-exports (one line each, as tsc emits them), side-effect imports and dynamic
// imports, with a bare specifier.
const bareImport =
  /(?:^\s*(?:import|export)\b[^'"\n]*?\bfrom\s*|^\s*import\s*|\bimport\(\s*)(['"])([^./'"][^'"]*)\1/gm;

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * Packages that compiled modules under `dir` import but that are not in `dependencies` (so an
 * `npm install --omit=dev` would not have them), as `<module>: <package>`.
 */
export function findUndeclaredImports(dir: string, dependencies: readonly string[]): string[] {
  const declared = new Set(dependencies);
  const undeclared: string[] = [];
  const modules = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.js'),
  );
  for (const name of modules) {
    for (const match of readFileSync(join(dir, name), 'utf8').matchAll(bareImport)) {
      const specifier = match[2]!;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
      const pkg = packageOf(specifier);
      if (!declared.has(pkg)) undeclared.push(`${name}: ${pkg}`);
    }
  }
  return undeclared.sort();
}
