import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig } from './loadConfig.ts';

const token = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

function raw(
  overrides: {
    contract?: Record<string, unknown>;
    chain?: Record<string, unknown>;
    root?: Record<string, unknown>;
  } = {},
) {
  return {
    chains: [
      {
        chainId: 31337,
        rpc: { http: 'http://127.0.0.1:8545', ws: 'ws://127.0.0.1:8545' },
        confirmations: 2,
        contracts: [
          { name: 'Token', address: token, abi: 'erc20' },
          { name: 'Nft', abi: 'erc721', address: `0x${'1'.repeat(40)}`, ...overrides.contract },
        ],
        ...overrides.chain,
      },
    ],
    kafka: { brokers: ['127.0.0.1:9092'] },
    redis: { url: 'redis://127.0.0.1:6379' },
    ...overrides.root,
  };
}

describe('parseConfig', () => {
  it('fills defaults, lower-cases addresses and loads standard ABIs', () => {
    const config = parseConfig({ raw: raw(), baseDir: '.' });
    const contract = config.chains[0]!.contracts[0]!;
    expect(contract.address).toBe(token.toLowerCase());
    expect(contract.abiKind).toBe('erc20');
    expect(contract.abi.some((item) => item.type === 'event' && item.name === 'Transfer')).toBe(true);
    expect(config.kafka.topicPrefix).toBe('blockwire');
    expect(config.gateway.port).toBe(4000);
    expect(config.process).toMatchObject({ reorgWindowBlocks: 1024, sessionTimeoutMs: 10_000 });
    expect(config.ingest.lockTtlMs).toBe(10_000);
  });

  it('rejects a session timeout below what Kafka brokers accept, with the value', () => {
    expect(() =>
      parseConfig({ raw: raw({ root: { process: { sessionTimeoutMs: 500 } } }), baseDir: '.' }),
    ).toThrow('Validation failed: process.sessionTimeoutMs must be >= 6000. Got 500.');
  });

  it('names the field, the expectation and the value of a bad address', () => {
    expect(() => parseConfig({ raw: raw({ contract: { address: '0x12' } }), baseDir: '.' })).toThrow(
      'Validation failed: chains[0].contracts[1].address must be a 20-byte hex address. Got 0x12.',
    );
  });

  it('leaves tracing off unless an OTLP endpoint is set, and checks the telemetry section', () => {
    expect(parseConfig({ raw: raw(), baseDir: '.' }).telemetry).toEqual({
      serviceName: 'blockwire',
      sampleRatio: 1,
    });
    const traced = parseConfig({
      raw: raw({ root: { telemetry: { otlpEndpoint: 'http://collector:4318', sampleRatio: 0.25 } } }),
      baseDir: '.',
    });
    expect(traced.telemetry).toEqual({
      otlpEndpoint: 'http://collector:4318',
      serviceName: 'blockwire',
      sampleRatio: 0.25,
    });
    expect(() =>
      parseConfig({ raw: raw({ root: { telemetry: { sampleRatio: 1.5 } } }), baseDir: '.' }),
    ).toThrow('Validation failed: telemetry.sampleRatio must be from 0 to 1. Got 1.5.');
    expect(() =>
      parseConfig({ raw: raw({ root: { telemetry: { otlpEndpoint: 'collector:4318' } } }), baseDir: '.' }),
    ).toThrow('Validation failed: telemetry.otlpEndpoint must be a http or https URL. Got collector:4318.');
  });

  it('names a missing required field', () => {
    const config = raw();
    delete (config as { redis?: unknown }).redis;
    expect(() => parseConfig({ raw: config, baseDir: '.' })).toThrow('Validation failed: redis is required.');
  });

  it('rejects unknown fields by name', () => {
    expect(() => parseConfig({ raw: raw({ chain: { confirmation: 3 } }), baseDir: '.' })).toThrow(
      'Validation failed: chains[0] has unknown field confirmation.',
    );
  });

  it('rejects a negative confirmation depth with the value', () => {
    expect(() => parseConfig({ raw: raw({ chain: { confirmations: -1 } }), baseDir: '.' })).toThrow(
      'Validation failed: chains[0].confirmations must be >= 0. Got -1.',
    );
  });

  it('rejects duplicate contract addresses on one chain', () => {
    expect(() => parseConfig({ raw: raw({ contract: { address: token } }), baseDir: '.' })).toThrow(
      /chains\[0\]\.contracts\[1\]\.address must be unique per chain/,
    );
  });

  it('interpolates environment variables and defaults', () => {
    const config = parseConfig({
      raw: raw({
        root: { redis: { url: '${REDIS_URL}' }, kafka: { brokers: ['${KAFKA_HOST:-localhost}:9092'] } },
      }),
      baseDir: '.',
      env: { REDIS_URL: 'redis://cache:6380' },
    });
    expect(config.redis.url).toBe('redis://cache:6380');
    expect(config.kafka.brokers).toEqual(['localhost:9092']);
  });

  it('splits a comma-separated KAFKA_BROKERS into brokers, and names a bad one', () => {
    const config = parseConfig({
      raw: raw({ root: { kafka: { brokers: ['${KAFKA_BROKERS}'] } } }),
      baseDir: '.',
      env: { KAFKA_BROKERS: 'k1:9092, k2:9092,k3:9092' },
    });
    expect(config.kafka.brokers).toEqual(['k1:9092', 'k2:9092', 'k3:9092']);
    expect(() =>
      parseConfig({
        raw: raw({ root: { kafka: { brokers: ['${KAFKA_BROKERS}'] } } }),
        baseDir: '.',
        env: { KAFKA_BROKERS: 'k1:9092,k2' },
      }),
    ).toThrow(/kafka\.brokers\[1\] must be host:port/);
  });

  it('names an unset environment variable and where it is used', () => {
    expect(() =>
      parseConfig({ raw: raw({ root: { redis: { url: '${REDIS_URL}' } } }), baseDir: '.', env: {} }),
    ).toThrow(
      'Validation failed: redis.url uses ${REDIS_URL}, but the environment variable REDIS_URL is not set.',
    );
  });

  it('loads a JSON ABI file relative to the config and rejects a non-ABI file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-config-'));
    writeFileSync(
      join(dir, 'abi.json'),
      JSON.stringify([{ type: 'event', name: 'Ping', inputs: [], anonymous: false }]),
    );
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hello: 1 }));
    const config = parseConfig({ raw: raw({ contract: { abi: './abi.json' } }), baseDir: dir });
    expect(config.chains[0]!.contracts[1]!.abiKind).toBe('custom');
    expect(() => parseConfig({ raw: raw({ contract: { abi: './bad.json' } }), baseDir: dir })).toThrow(
      /chains\[0\]\.contracts\[1\]\.abi file .*bad\.json must hold a JSON ABI array/,
    );
    expect(() => parseConfig({ raw: raw({ contract: { abi: './missing.json' } }), baseDir: dir })).toThrow(
      /ENOENT/,
    );
  });
});

describe('loadConfig', () => {
  it('reads YAML and reports YAML syntax errors with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-config-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(
      good,
      `chains:\n  - chainId: 1\n    rpc: { http: "https://rpc.example" }\n    contracts:\n      - { name: T, address: "${token}", abi: erc20 }\nkafka: { brokers: ["k:9092"] }\nredis: { url: "redis://r:6379" }\n`,
    );
    expect(loadConfig(good).chains[0]!.confirmations).toBe(12);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'chains: [\n');
    expect(() => loadConfig(bad)).toThrow(/bad\.yaml is not valid YAML/);
  });
});

describe('redis.cluster', () => {
  it('accepts the Redis Cluster example of docs/scaling.md', () => {
    const page = readFileSync(new URL('../../../docs/scaling.md', import.meta.url), 'utf8');
    const example = [...page.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((match) => match[1]!.replace(/^ {2}/gm, ''))
      .find((body) => body.includes('cluster:'));
    expect(example).toBeDefined();
    const { redis } = parseYaml(example!) as { redis: Record<string, unknown> };
    const config = parseConfig({ raw: raw({ root: { redis } }), baseDir: '.' });
    expect(config.redis.cluster).toEqual(['10.0.0.1:7000', '10.0.0.2:7000', '10.0.0.3:7000']);
    expect(config.redis.replicaAcks).toBe(1);
  });

  it('waits for one replica by default and leaves single-server configs as they were', () => {
    const config = parseConfig({ raw: raw(), baseDir: '.' });
    expect(config.redis.cluster).toBeUndefined();
    expect(config.redis.replicaAcks).toBe(1);
  });

  it('refuses a node that is not host:port, naming it', () => {
    const redis = { url: 'redis://127.0.0.1:7000', cluster: ['127.0.0.1:7000', 'redis://127.0.0.1:7001'] };
    expect(() => parseConfig({ raw: raw({ root: { redis } }), baseDir: '.' })).toThrow(
      /redis\.cluster\[1\].*host:port/,
    );
  });
});
