import { describe, expect, it } from 'vitest';
import { parseConfig } from './loadConfig.ts';

function raw(root: Record<string, unknown> = {}) {
  return {
    chains: [
      {
        chainId: 31337,
        rpc: { http: 'http://127.0.0.1:8545' },
        contracts: [{ name: 'Token', address: '0x5FbDB2315678afecb367f032d93F642f64180aa3', abi: 'erc20' }],
      },
    ],
    kafka: { brokers: ['127.0.0.1:9092'] },
    redis: { url: 'redis://127.0.0.1:6379' },
    ...root,
  };
}

const parse = (root: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) =>
  parseConfig({ raw: raw(root), baseDir: '.', env }).ops;

describe('ops (the operations port)', () => {
  it('serves no operations port by default, and listens on the gateway host once a port is set', () => {
    expect(parse({})).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(parse({ gateway: { host: '0.0.0.0' }, ops: { port: 9464 } })).toEqual({
      port: 9464,
      host: '0.0.0.0',
    });
    expect(parse({ gateway: { host: '0.0.0.0' }, ops: { port: 9464, host: '127.0.0.1' } })).toEqual({
      port: 9464,
      host: '127.0.0.1',
    });
  });

  it('takes METRICS_PORT over ops.port, and ignores it when empty', () => {
    expect(parse({ ops: { port: 9464 } }, { METRICS_PORT: '9500' }).port).toBe(9500);
    expect(parse({}, { METRICS_PORT: '9500' }).port).toBe(9500);
    expect(parse({ ops: { port: 9464 } }, { METRICS_PORT: '' }).port).toBe(9464);
  });

  it('refuses a port that is no port number, naming the field or the variable', () => {
    expect(() => parse({ ops: { port: 70_000 } })).toThrow(
      'Validation failed: ops.port must be a port number (0 to 65535). Got 70000.',
    );
    expect(() => parse({ ops: { port: 94.64 } })).toThrow(
      'Validation failed: ops.port must be integer. Got 94.64.',
    );
    expect(() => parse({ ops: { port: '9464' } })).toThrow(
      'Validation failed: ops.port must be number. Got 9464.',
    );
    expect(() => parse({ ops: { port: 9464, path: '/metrics' } })).toThrow(
      'Validation failed: ops has unknown field path.',
    );
    expect(() => parse({}, { METRICS_PORT: 'nine' })).toThrow(
      'Validation failed: the environment variable METRICS_PORT must be a port number (0 to 65535). Got nine.',
    );
    expect(() => parse({}, { METRICS_PORT: '65536' })).toThrow(/METRICS_PORT must be a port number/);
  });

  it('refuses the gateway port, which already serves the operations endpoints', () => {
    expect(() => parse({ gateway: { port: 4000 }, ops: { port: 4000 } })).toThrow(
      'Validation failed: ops.port must differ from gateway.port (4000): the gateway serves /metrics, /healthz and /readyz on its own port already. Got 4000.',
    );
    expect(() => parse({}, { METRICS_PORT: '4000' })).toThrow(
      'Validation failed: the environment variable METRICS_PORT must differ from gateway.port (4000)',
    );
  });

  it('accepts 0 for both ports: each then gets a free port of its own', () => {
    expect(parse({ gateway: { port: 0 }, ops: { port: 0 } }).port).toBe(0);
  });
});
