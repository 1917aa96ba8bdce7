import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { epochKey, topicNames } from '../../src/domain/index.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { processMetrics } from '../../src/process/metrics.ts';
import { getStack } from '../support/stack.ts';
import { expectJournalsExact, expectProjectionsExact } from './support/expectExact.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { type PrivateRedis, startPrivateRedis } from './support/privateRedis.ts';
import { produceRecords } from './support/produce.ts';
import { createScenario, type Scenario, type TestRecord } from './support/scenario.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;

// This file runs its own redis-server: it FLUSHALLs and kills it, which the shared Redis must never see.
describe('process: Redis loses its state or goes away', () => {
  let redisServer: PrivateRedis;
  let setup: TestConfig;
  let harness: Harness;
  let scenario: Scenario;
  const processors: Processor[] = [];
  const produced: TestRecord[] = [];

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    const probe = createScenario({ chainId, topics: topicNames('unused'), seed: 31 });
    setup = createTestConfig({
      kafkaBrokers: getStack().kafkaBrokers,
      redisUrl: redisServer.url,
      chainId,
      kinds: probe.kinds,
    });
    scenario = createScenario({ chainId, topics: topicNames(setup.config.kafka.topicPrefix), seed: 31 });
    harness = await createHarness({ config: setup.config, chainId });
    // Two instances share the group: both must notice a lost epoch, whichever partitions they hold.
    for (const name of ['a', 'b']) {
      const processor = createProcessor({
        config: setup.config,
        instanceId: name,
        options: { sessionTimeoutMs: 6_000 },
      });
      processors.push(processor);
      await processor.start();
    }
  });

  afterAll(async () => {
    await Promise.all(processors.map((processor) => processor.stop()));
    await harness?.close().catch(() => {});
    await redisServer?.stop();
  });

  const contracts = () => Object.keys(scenario.kinds);
  const confirmedCount = () => produced.filter((record) => record.topic.endsWith('.events.confirmed')).length;

  async function produce(blocks: number, reorgDepth = 0): Promise<void> {
    scenario.blocks(blocks);
    if (reorgDepth) scenario.reorg(reorgDepth);
    const records = scenario.drain();
    produced.push(...records);
    await produceRecords(harness.producer, records);
  }

  async function expectExact(): Promise<void> {
    await waitFor(async () => (await harness.appliedCount(contracts())) === confirmedCount(), {
      description: `${confirmedCount()} journal entries`,
      timeoutMs: 90_000,
    });
    await harness.waitForCommitted();
    expect(await harness.appliedCount(contracts())).toBe(confirmedCount());
    await expectProjectionsExact({ harness, keyPrefix: setup.config.redis.keyPrefix, chainId, scenario });
    await expectJournalsExact(harness, produced, contracts());
  }

  const readyAll = () => processors.every((processor) => processor.readiness().ready);

  it('rebuilds the exact state after FLUSHALL in the middle of a run, without a manual step', async () => {
    await produce(150, 3);
    await waitFor(async () => (await harness.appliedCount(contracts())) > 100, {
      description: 'first events applied',
      timeoutMs: 60_000,
    });
    const rebuildsBefore = (await processMetrics.rebuilds.get()).values[0]?.value ?? 0;
    await harness.redis.flushall();
    await produce(150, 4);
    await waitFor(
      () => processors.some((processor) => processor.readiness().reason?.includes('rebuilding')),
      {
        description: 'a processor reporting the rebuild in its readiness',
        timeoutMs: 30_000,
        intervalMs: 50,
      },
    ).catch(() => undefined); // the replay may finish between two polls on a fast machine
    await expectExact();
    expect((await processMetrics.rebuilds.get()).values[0]?.value ?? 0).toBeGreaterThan(rebuildsBefore);
    await waitFor(readyAll, { description: 'both processors ready again', timeoutMs: 30_000 });
  });

  it('drops stale state and replays when the epoch marker is deleted (blockwire rebuild)', async () => {
    const before = await harness.redis.get(epochKey(setup.config.redis.keyPrefix));
    await harness.redis.del(epochKey(setup.config.redis.keyPrefix));
    await waitFor(
      async () => {
        const epoch = await harness.redis.get(epochKey(setup.config.redis.keyPrefix));
        return epoch && epoch !== before && !epoch.startsWith('rebuilding:');
      },
      { description: 'a new epoch', timeoutMs: 30_000 },
    );
    await produce(40);
    await expectExact();
  });

  it('pauses while Redis is down and resumes without losing or repeating events', async () => {
    const epoch = await harness.redis.get(epochKey(setup.config.redis.keyPrefix));
    await redisServer.kill();
    await produce(120, 2);
    await waitFor(
      () => processors.some((processor) => processor.readiness().reason?.includes('Redis is unavailable')),
      {
        description: 'readiness reporting the Redis outage',
        timeoutMs: 30_000,
      },
    );
    await sleep(3_000); // stay down through several retries
    await redisServer.restart();
    await expectExact();
    expect(await harness.redis.get(epochKey(setup.config.redis.keyPrefix))).toBe(epoch);
    await waitFor(readyAll, { description: 'both processors ready again', timeoutMs: 30_000 });
  });
});
