import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthenticate } from '../../src/gateway/server/authenticate.ts';
import { testConfig } from './support/startTestGateway.ts';

const bin = join(import.meta.dirname, '../../bin/blockwire.js');

/** Runs `blockwire config check` on a minimal config with `auth` as the gateway's auth section. */
function configCheck(auth: string): Promise<{ status: number | null; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-auth-'));
  const path = join(dir, 'blockwire.yaml');
  writeFileSync(
    path,
    [
      'chains:',
      '  - chainId: 31337',
      '    rpc: { http: "http://127.0.0.1:8545" }',
      '    contracts:',
      '      - { name: T, address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", abi: erc20 }',
      'kafka: { brokers: ["127.0.0.1:9092"] }',
      'redis: { url: "redis://127.0.0.1:6379" }',
      `gateway: { auth: ${auth} }`,
      '',
    ].join('\n'),
  );
  // Asynchronous: a synchronous spawn blocks the vitest worker long enough to time out its RPC.
  return new Promise<{ status: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [bin, 'config', 'check', '--config', path],
      { encoding: 'utf8', timeout: 110_000 },
      (error, _stdout, stderr) =>
        resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }),
    );
  });
}

describe('gateway.auth fails closed', { timeout: 120_000 }, () => {
  it('config check refuses auth.required without a key, naming the field', async () => {
    const result = await configCheck('{ required: true }');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Validation failed: gateway.auth.jwtSecret or gateway.auth.jwksUrl is required',
    );
  });

  it('config check refuses both jwtSecret and jwksUrl, naming the field', async () => {
    const result = await configCheck(
      '{ required: true, jwtSecret: "a-test-secret-of-32-characters!!", jwksUrl: "https://issuer.example/jwks.json" }',
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'Validation failed: gateway.auth.jwksUrl must not be set together with gateway.auth.jwtSecret',
    );
  });

  it('config check accepts exactly one key', async () => {
    const result = await configCheck('{ required: true, jwksUrl: "https://issuer.example/jwks.json" }');
    expect(result.stderr).not.toContain('Validation failed');
    expect(result.status).toBe(0);
  });

  it('a gateway built from a config object without a key refuses to start instead of letting callers in', () => {
    const config = testConfig({ gateway: { auth: { required: true } } });
    expect(() => createAuthenticate(config)).toThrow(/exactly one of jwtSecret and jwksUrl/);
  });
});
