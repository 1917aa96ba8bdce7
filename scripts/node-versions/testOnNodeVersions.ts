/**
 * `tsx scripts/node-versions/testOnNodeVersions.ts [major…]` (CI, after the main suite): runs the unit
 * tests and the end-to-end pipeline test (chain → ingest → Kafka → process → Redis → gateway) on each
 * Node release line users run — 22 and 24 by default — with binaries from the npm registry's `node`
 * package. Kafka, Redis and the dev chain are started once and shared by the runs. Exits non-zero when
 * any run fails.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startDevStack } from '../../src/dev-stack/index.ts';
import { repoRoot } from '../../src/dev-stack/paths.ts';
import { installNode } from './installNode.ts';

/** The end-to-end test every Node version runs besides the unit tests. */
const pipelineTest = 'test/e2e/subscriptions.test.ts';

function parseMajors(argv: string[]): number[] {
  const majors = (argv.length > 0 ? argv : ['22', '24']).map(Number);
  const bad = majors.find((major) => !Number.isInteger(major) || major < 1);
  if (bad !== undefined)
    throw new Error(`Expected Node major versions such as 22 24. Got ${argv.join(' ')}.`);
  return majors;
}

/** Runs vitest with `node` (its workers inherit that binary); resolves to the exit code. */
function runVitest(node: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const vitest = join(repoRoot, 'node_modules/vitest/vitest.mjs');
  // Filters select files across both projects: every unit test under src/, the one pipeline test.
  // Without per-file isolation the unit tests (pure logic, no module mocks or global stubs) import
  // the shared modules once per worker instead of once per file: half the CPU time, keeping these
  // extra runs short. The main suite keeps isolation.
  const args = [
    vitest,
    'run',
    '--no-isolate',
    '--project',
    'unit',
    '--project',
    'integration',
    'src/',
    pipelineTest,
  ];
  const child = spawn(node, args, { cwd: repoRoot, env, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

const majors = parseMajors(process.argv.slice(2));
const nodes = [];
for (const major of majors) nodes.push(await installNode({ major }));
const stack = await startDevStack();
const results: { version: string; passed: boolean; seconds: number }[] = [];
try {
  // Without NODE_OPTIONS: a loader of this script's runner (tsx) must not reach the tested Node.
  const { NODE_OPTIONS: _, ...inherited } = process.env;
  const env = {
    ...inherited,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    REDIS_URL: stack.redisUrl,
    BLOCKWIRE_RPC_HTTP: stack.rpcHttp,
    BLOCKWIRE_RPC_WS: stack.rpcWs,
  };
  for (const node of nodes) {
    process.stdout.write(`\n[node-versions] unit tests and ${pipelineTest} on Node ${node.version}\n`);
    const startedAt = Date.now();
    const code = await runVitest(node.path, env);
    results.push({
      version: node.version,
      passed: code === 0,
      seconds: Math.round((Date.now() - startedAt) / 1000),
    });
  }
} finally {
  await stack.stop();
}
for (const { version, passed, seconds } of results) {
  process.stdout.write(`[node-versions] Node ${version}: ${passed ? 'passed' : 'FAILED'} (${seconds} s)\n`);
}
process.exit(results.every((result) => result.passed) ? 0 : 1);
