import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createDependency,
  dependencyUnreachableError,
  isDependencyUnreachable,
  watchStartup,
} from './dependency.ts';
import type { BaseError } from './errors/index.ts';

describe('dependencyUnreachableError', () => {
  it('names the role, the endpoint without credentials, the deadline and what to check', () => {
    const error = dependencyUnreachableError({
      role: 'process',
      kind: 'redis',
      endpoint: 'redis://blockwire:s3cret@redis.internal:6380/2',
      timeoutMs: 30_000,
      lastError: 'connect ECONNREFUSED 10.0.0.7:6380',
    });
    expect(error.message).toBe(
      'process: Redis at redis://redis.internal:6380 did not answer within 30 s (last error: connect ECONNREFUSED 10.0.0.7:6380). Check that Redis is running and reachable from here, and redis.url in the config (REDIS_URL in the examples).',
    );
    expect(error.code).toBe('REDIS_UNREACHABLE');
    expect(isDependencyUnreachable(error)).toBe(true);
  });

  it('keeps an API key in the RPC path or in the last error out of the line', () => {
    const error = dependencyUnreachableError({
      role: 'ingest',
      kind: 'rpc',
      endpoint: 'https://eth.example.com/v3/API-KEY',
      chain: { chainId: 1, index: 2 },
      timeoutMs: 15_000,
      lastError: 'HTTP request failed.\n\nURL: https://eth.example.com/v3/API-KEY',
    });
    expect(error.message).not.toContain('API-KEY');
    expect(error.message).toBe(
      'ingest: the RPC endpoint of chain 1 at https://eth.example.com did not answer within 15 s (last error: HTTP request failed.). Check that the node is running and reachable from here, and chains[2].rpc.http in the config (RPC_HTTP_URL in the examples).',
    );
    expect(error.code).toBe('RPC_UNREACHABLE');
  });

  it('names the Kafka brokers as configured', () => {
    const error = dependencyUnreachableError({
      role: 'ingest',
      kind: 'kafka',
      endpoint: 'k1:9092,k2:9092',
      timeoutMs: 2_500,
    });
    expect(error.message).toBe(
      'ingest: Kafka at k1:9092,k2:9092 did not answer within 2.5 s. Check that the brokers are running and reachable from here, and kafka.brokers in the config (KAFKA_BROKERS in the examples).',
    );
  });
});

describe('watchStartup', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const targets = () => ({
    kafka: createDependency('Kafka', 'Kafka is unreachable'),
    redis: createDependency('Redis', 'Redis is unavailable'),
  });

  it('stops the role with the first dependency that never answered, once the deadline passed', () => {
    const { kafka, redis } = targets();
    const failures: BaseError[] = [];
    watchStartup({
      role: 'process',
      timeoutMs: 10_000,
      targets: [
        { kind: 'kafka', dependency: kafka, endpoint: '127.0.0.1:9092' },
        { kind: 'redis', dependency: redis, endpoint: 'redis://127.0.0.1:6379' },
      ],
      onUnreachable: (error) => failures.push(error),
    });
    kafka.up();
    redis.down(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    vi.advanceTimersByTime(9_999);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(failures.map((error) => error.message)).toEqual([
      'process: Redis at redis://127.0.0.1:6379 did not answer within 10 s (last error: connect ECONNREFUSED 127.0.0.1:6379). Check that Redis is running and reachable from here, and redis.url in the config (REDIS_URL in the examples).',
    ]);
  });

  it('does not hold an outage after the first answer against the role', () => {
    const { kafka, redis } = targets();
    const onUnreachable = vi.fn();
    watchStartup({
      role: 'ingest',
      timeoutMs: 10_000,
      targets: [
        { kind: 'kafka', dependency: kafka, endpoint: '127.0.0.1:9092' },
        { kind: 'redis', dependency: redis, endpoint: 'redis://127.0.0.1:6379' },
      ],
      onUnreachable,
    });
    kafka.up();
    redis.up();
    kafka.down(new Error('broker restarting'));
    vi.advanceTimersByTime(60_000);
    expect(onUnreachable).not.toHaveBeenCalled();
  });

  it('waits forever with a deadline of 0, and not at all once stopped', () => {
    const { kafka } = targets();
    const onUnreachable = vi.fn();
    watchStartup({
      role: 'process',
      timeoutMs: 0,
      targets: [{ kind: 'kafka', dependency: kafka, endpoint: 'k:9092' }],
      onUnreachable,
    });
    const stop = watchStartup({
      role: 'process',
      timeoutMs: 1_000,
      targets: [{ kind: 'kafka', dependency: kafka, endpoint: 'k:9092' }],
      onUnreachable,
    });
    stop();
    vi.advanceTimersByTime(3_600_000);
    expect(onUnreachable).not.toHaveBeenCalled();
  });
});
