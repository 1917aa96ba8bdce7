import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/dev-stack/paths.ts';

/** Starts the local Kafka in a child process whose PATH holds only the given tools. */
function startKafkaWithTools(tools: string[]) {
  const bin = mkdtempSync(join(tmpdir(), 'bw-path-'));
  for (const tool of tools) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, join(bin, tool));
  }
  const stackDir = mkdtempSync(join(tmpdir(), 'bw-stack-'));
  const script = `import('./src/dev-stack/kafka.ts').then((m) => m.startKafka({ stackDir: ${JSON.stringify(stackDir)} })).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(3); });`;
  const env: NodeJS.ProcessEnv = { HOME: process.env.HOME, PATH: bin };
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('local stack without its tools', () => {
  it('says which Java to install when java is missing', () => {
    const result = startKafkaWithTools([]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Java 17 not found on PATH: install a JDK 17');
  });

  it('says to install Maven when mvn is missing and Kafka is not cached', () => {
    const result = startKafkaWithTools(['java']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('Maven not found on PATH: install Maven');
  });
});
