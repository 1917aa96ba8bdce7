import { describe, expect, it } from 'vitest';
import { parseConfig } from './loadConfig.ts';

function raw(
  overrides: {
    chain?: Record<string, unknown>;
    kafka?: Record<string, unknown>;
    ingest?: Record<string, unknown>;
    process?: Record<string, unknown>;
  } = {},
) {
  return {
    chains: [
      {
        chainId: 31337,
        rpc: { http: 'http://127.0.0.1:8545' },
        confirmations: 2,
        contracts: [{ name: 'Token', address: `0x${'1'.repeat(40)}`, abi: 'erc20' }],
        ...overrides.chain,
      },
    ],
    kafka: { brokers: ['127.0.0.1:9092'], ...overrides.kafka },
    redis: { url: 'redis://127.0.0.1:6379' },
    ingest: overrides.ingest,
    process: overrides.process,
  };
}

const parse = (overrides: Parameters<typeof raw>[0]) => parseConfig({ raw: raw(overrides), baseDir: '.' });

describe('ingest header window', () => {
  it('defaults to max(2 × confirmations, 64) per chain', () => {
    expect(parse({}).chains[0]!.headerWindowBlocks).toBe(64);
    expect(parse({ chain: { confirmations: 100 } }).chains[0]!.headerWindowBlocks).toBe(200);
  });

  it('takes chains[i].headerWindowBlocks when set', () => {
    expect(parse({ chain: { headerWindowBlocks: 8 } }).chains[0]!.headerWindowBlocks).toBe(8);
  });

  it('refuses a window that is not a positive integer, naming the field', () => {
    expect(() => parse({ chain: { headerWindowBlocks: 0 } })).toThrow(
      'Validation failed: chains[0].headerWindowBlocks must be > 0. Got 0.',
    );
  });

  it("refuses a window deeper than the processor's reorgWindowBlocks, naming both fields and values", () => {
    expect(() => parse({ chain: { headerWindowBlocks: 300 }, process: { reorgWindowBlocks: 200 } })).toThrow(
      'Validation failed: chains[0].headerWindowBlocks must be <= process.reorgWindowBlocks (200): the ingestor would retract events older than the processor can reverse. Got 300.',
    );
  });

  it('refuses a default window that exceeds reorgWindowBlocks and says it is the default', () => {
    expect(() => parse({ chain: { confirmations: 600 } })).toThrow(
      /chains\[0\]\.headerWindowBlocks must be <= process\.reorgWindowBlocks \(1024\).*Got 1200 \(the default, max\(2 × confirmations, 64\) with confirmations 600\)/,
    );
  });
});

describe('ingest throughput limits', () => {
  it('defaults backfill concurrency to 4 and blocks per transaction to 25', () => {
    expect(parse({}).ingest).toMatchObject({ backfillConcurrency: 4, blocksPerTransaction: 25 });
  });

  it('takes ingest.backfillConcurrency and ingest.blocksPerTransaction when set', () => {
    expect(parse({ ingest: { backfillConcurrency: 8, blocksPerTransaction: 100 } }).ingest).toMatchObject({
      backfillConcurrency: 8,
      blocksPerTransaction: 100,
    });
  });

  it('refuses a backfill concurrency of 0, naming the field', () => {
    expect(() => parse({ ingest: { backfillConcurrency: 0 } })).toThrow(
      'Validation failed: ingest.backfillConcurrency must be >= 1. Got 0.',
    );
  });

  it('refuses blocks per transaction that are not an integer, naming the field', () => {
    expect(() => parse({ ingest: { blocksPerTransaction: 2.5 } })).toThrow(
      /^Validation failed: ingest\.blocksPerTransaction .*Got 2\.5\.$/,
    );
  });
});

describe('topic durability', () => {
  it('defaults to replication factor 1 and min.insync.replicas 1', () => {
    expect(parse({}).kafka).toMatchObject({ replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it('takes kafka.replicationFactor and kafka.minInsyncReplicas when set', () => {
    expect(parse({ kafka: { replicationFactor: 3, minInsyncReplicas: 2 } }).kafka).toMatchObject({
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
  });

  it('refuses a replication factor of 0, naming the field', () => {
    expect(() => parse({ kafka: { replicationFactor: 0 } })).toThrow(
      'Validation failed: kafka.replicationFactor must be > 0. Got 0.',
    );
  });

  it('refuses more in-sync replicas than replicas, naming both fields', () => {
    expect(() => parse({ kafka: { replicationFactor: 2, minInsyncReplicas: 3 } })).toThrow(
      'Validation failed: kafka.minInsyncReplicas must be <= kafka.replicationFactor (2). Got 3.',
    );
  });
});

describe('topic prefix', () => {
  it('refuses a prefix that would make topic names longer than Kafka accepts, naming the field', () => {
    const prefix = 'p'.repeat(233);
    expect(() => parse({ kafka: { topicPrefix: prefix } })).toThrow(
      `Validation failed: kafka.topicPrefix must be at most 232 characters (Kafka topic names are limited to 249). Got ${prefix}.`,
    );
    expect(parse({ kafka: { topicPrefix: 'p'.repeat(232) } }).kafka.topicPrefix).toHaveLength(232);
  });
});
