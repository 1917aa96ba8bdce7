import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '../../bin/blockwire.js');

function run(args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
}

describe('blockwire CLI', { timeout: 60_000 }, () => {
  it('exits non-zero on a bad config file with a message naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-cli-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(
      path,
      'chains:\n  - chainId: 31337\n    rpc: { http: "http://127.0.0.1:8545" }\n    contracts:\n      - { name: T, address: "0x12", abi: erc20 }\nkafka: { brokers: ["127.0.0.1:9092"] }\nredis: { url: "redis://127.0.0.1:6379" }\n',
    );
    const result = run(['start', '--role', 'all', '--config', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Validation failed: chains[0].contracts[0].address must be a 20-byte hex address. Got 0x12.',
    );
  });

  it('exits non-zero on a missing config file, naming it', () => {
    const result = run(['config', 'check', '--config', '/nonexistent/blockwire.yaml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Cannot read config file /nonexistent/blockwire.yaml: ENOENT');
  });

  it('rejects an unknown option with the usage', () => {
    const result = run(['start', '--rol', 'x']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--rol/);
    expect(result.stderr).toContain('Usage: blockwire');
  });
});
