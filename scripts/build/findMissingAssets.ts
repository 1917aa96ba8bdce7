import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// `new URL('./x', import.meta.url)` with a literal path: how the code locates files next to a module.
const moduleRelativeUrl = /new URL\(\s*(['"`])([^'"`$]+)\1\s*,\s*import\.meta\.url\s*\)/g;

/**
 * Files and folders that compiled modules under `dir` locate with `new URL('<literal>',
 * import.meta.url)` but that do not exist, as `<module>: <path>` relative to `dir`.
 */
export function findMissingAssets(dir: string): string[] {
  const missing: string[] = [];
  const modules = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.js'),
  );
  for (const name of modules) {
    const moduleUrl = pathToFileURL(join(dir, name));
    for (const match of readFileSync(moduleUrl, 'utf8').matchAll(moduleRelativeUrl)) {
      const target = fileURLToPath(new URL(match[2]!, moduleUrl));
      if (!existsSync(target)) missing.push(`${name}: ${relative(dir, target)}`);
    }
  }
  return missing.sort();
}
