/**
 * Environment variable names are the same in every example and doc: the Kafka brokers are always
 * `KAFKA_BROKERS` and Redis always `REDIS_URL` (the names the CLI itself reads), RPC endpoints always
 * `…RPC_HTTP…` / `…RPC_WS…`. A file that spells one differently (`KAFKA_BROKER`, `REDIS_HOST`,
 * `RPC_URL`) makes a user set a variable nothing reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const files = [
  'README.md',
  'docker-compose.yml',
  'Dockerfile',
  ...readdirSync(join(root, 'docs')).map((file) => `docs/${file}`),
  ...readdirSync(join(root, 'examples')).map((file) => `examples/${file}`),
  ...readdirSync(join(root, 'docker')).map((file) => `docker/${file}`),
].filter((file) => /\.(md|ya?ml)$|Dockerfile$/.test(file));

/** `${NAME}` and `${NAME:-default}` references, with the file they are in. */
function references(): { file: string; name: string }[] {
  return files.flatMap((file) =>
    [...readFileSync(join(root, file), 'utf8').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => ({
      file,
      name: match[1]!,
    })),
  );
}

/** Why a variable name is not the one we use for its setting, or undefined when it is fine. */
function misnamed(name: string): string | undefined {
  if (name.includes('KAFKA') && name !== 'KAFKA_BROKERS') return 'the Kafka brokers are KAFKA_BROKERS';
  if (name.includes('REDIS') && name !== 'REDIS_URL') return 'Redis is REDIS_URL';
  if (name.includes('RPC') && !/^(?:[A-Z0-9]+_)?RPC_(?:HTTP|WS)(?:_URL)?$/.test(name))
    return 'RPC endpoints are <CHAIN>_RPC_HTTP / _WS or RPC_HTTP_URL / RPC_WS_URL';
  return undefined;
}

describe('environment variable names in docs and examples', () => {
  it('finds the variables the examples use', () => {
    const names = new Set(references().map((reference) => reference.name));
    expect(names).toContain('KAFKA_BROKERS');
    expect(names).toContain('REDIS_URL');
  });

  it('spells each setting the same way everywhere', () => {
    const wrong = references()
      .map((reference) => ({ ...reference, why: misnamed(reference.name) }))
      .filter((reference) => reference.why !== undefined);
    expect(wrong).toEqual([]);
  });

  it('catches the aliases users were given before', () => {
    expect(misnamed('KAFKA_BROKER')).toBeDefined();
    expect(misnamed('REDIS_HOST')).toBeDefined();
    expect(misnamed('RPC_URL')).toBeDefined();
    expect(misnamed('MAINNET_RPC_HTTP')).toBeUndefined();
  });
});
