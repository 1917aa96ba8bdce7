import { delimiter, dirname } from 'node:path';

/**
 * The environment of a user's shell for a child process: no npm lifecycle variables or vitest
 * loaders inherited from the test run, and `node` (default: the Node running this test) first on the
 * PATH, so `#!/usr/bin/env node` scripts and npm run on it.
 */
export function userEnv(extra: Record<string, string> = {}, node = process.execPath): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('npm_') || key.startsWith('VITEST') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  env.PATH = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`;
  return { ...env, ...extra };
}
