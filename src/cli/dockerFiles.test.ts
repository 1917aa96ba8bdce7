import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../shared/config/index.ts';
import { parseCommandLine } from './parseCommandLine.ts';

// No Docker engine runs where the tests run, so `docker compose up` cannot be tried; these checks
// keep docker-compose.yml and the Dockerfile consistent with the code they start.
const root = join(import.meta.dirname, '../..');

type Service = {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: unknown; disable?: boolean };
};

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

describe('docker-compose.yml and Dockerfile', () => {
  it('runs Kafka, Redis, a dev chain, the demo deployer, the three roles and the monitoring kit as separate services', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'alertmanager',
      'chain',
      'demo',
      'gateway',
      'grafana',
      'ingest',
      'kafka',
      'process',
      'prometheus',
      'redis',
    ]);
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:3\.9/);
  });

  it('starts every blockwire service with a command the CLI accepts', () => {
    for (const name of ['ingest', 'process', 'gateway', 'demo']) {
      const service = compose.services[name]!;
      expect(service.build).toBe('.');
      const parsed = parseCommandLine(service.command!, {});
      expect(parsed.command).toBe(name === 'demo' ? 'demo' : 'start');
      if (parsed.command === 'start') expect(parsed.roles).toEqual([name]);
    }
  });

  it('depends only on services that exist and that have health checks when waited for healthy', () => {
    for (const service of Object.values(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = compose.services[dependency];
        expect(target, dependency).toBeDefined();
        if (condition === 'service_healthy') expect(target?.healthcheck?.test, dependency).toBeDefined();
      }
    }
  });

  it('ships a config that validates with the environment compose gives the roles', () => {
    const env = { ...compose.services.gateway!.environment } as NodeJS.ProcessEnv;
    const config = loadConfig(join(root, 'docker/blockwire.compose.yaml'), env);
    expect(config.kafka.brokers).toEqual(['kafka:9092']);
    expect(config.redis.url).toBe('redis://redis:6379');
    expect(config.chains[0]!.rpc.ws).toBe('ws://chain:8545');
    expect(config.gateway.host).toBe('0.0.0.0');
  });

  it('copies only files that exist into the image', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const sources = [...dockerfile.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => match[1]!.split(' '));
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) expect(existsSync(join(root, source)), source).toBe(true);
  });
});
