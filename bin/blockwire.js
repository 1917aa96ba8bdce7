#!/usr/bin/env node
// The blockwire CLI. An installed package runs the compiled CLI in dist/ with plain Node (its source
// maps on, so stack traces name TypeScript lines). A checkout of the repository, where src/ sits next
// to bin/, runs the TypeScript sources through tsx (a dev dependency) instead: `npm start` and the
// tests then never run a stale build, and need no build step.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/cli/main.js', import.meta.url);

/** tsx's loader, or undefined where dev dependencies are not installed (`npm ci --omit=dev`). */
async function loadTsx() {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

const tsx = existsSync(sources) ? await loadTsx() : undefined;
if (tsx) {
  tsx.register();
  await import(sources.href);
} else if (existsSync(built)) {
  process.setSourceMapsEnabled(true);
  await import(built.href);
} else {
  process.stderr.write(
    'blockwire: the CLI is not built. In a checkout, run "npm ci" (to run the sources) or "npm run build".\n',
  );
  process.exit(1);
}
