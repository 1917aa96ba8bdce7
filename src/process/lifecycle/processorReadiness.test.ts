import { describe, expect, it } from 'vitest';
import { createDependency } from '../../shared/dependency.ts';
import { processorReadiness } from './processorReadiness.ts';

function dependencies() {
  return {
    kafka: createDependency('Kafka', 'Kafka is unreachable'),
    redis: createDependency('Redis', 'Redis is unavailable'),
  };
}

describe('processorReadiness', () => {
  it('names Kafka, not Redis, when only Kafka is down', () => {
    const { kafka, redis } = dependencies();
    kafka.down(new Error('connect ECONNREFUSED 127.0.0.1:1'));
    redis.up();
    const readiness = processorReadiness({ stage: 'connecting', kafka, redis, rebuilding: false });
    expect(readiness).toEqual({
      ready: false,
      reason: 'Kafka is unreachable: connect ECONNREFUSED 127.0.0.1:1; consumption paused',
      kafka: { state: 'down', error: 'connect ECONNREFUSED 127.0.0.1:1' },
      redis: { state: 'up' },
    });
  });

  it('names Redis, not Kafka, when only Redis is down', () => {
    const { kafka, redis } = dependencies();
    kafka.up();
    redis.down(new Error('Connection is closed.'));
    const readiness = processorReadiness({
      stage: { name: 'establishing-epoch' },
      kafka,
      redis,
      rebuilding: false,
    });
    expect(readiness.reason).toBe('Redis is unavailable: Connection is closed.; consumption paused');
    expect(readiness.kafka).toEqual({ state: 'up' });
  });

  it('names both when both are down', () => {
    const { kafka, redis } = dependencies();
    kafka.down(new Error('a'));
    redis.down(new Error('b'));
    expect(processorReadiness({ stage: 'connecting', kafka, redis, rebuilding: false }).reason).toBe(
      'Kafka is unreachable: a; Redis is unavailable: b; consumption paused',
    );
  });

  it('is not ready while a rebuild replays, even with both dependencies up', () => {
    const { kafka, redis } = dependencies();
    kafka.up();
    redis.up();
    const consumer = { joined: () => true } as never;
    const stage = { name: 'consuming', epoch: 'e', group: 'g', consumer } as const;
    expect(processorReadiness({ stage, kafka, redis, rebuilding: true })).toMatchObject({
      ready: false,
      reason: 'rebuilding the projection from events.confirmed',
    });
    expect(processorReadiness({ stage, kafka, redis, rebuilding: false }).ready).toBe(true);
  });
});
