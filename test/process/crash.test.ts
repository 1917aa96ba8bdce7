import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/dev-stack/createSeededRandom.ts';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { topicNames } from '../../src/domain/index.ts';
import { getStack } from '../support/stack.ts';
import { expectJournalsExact, expectProjectionsExact } from './support/expectExact.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { produceRecords } from './support/produce.ts';
import { createScenario, type Scenario, type TestRecord } from './support/scenario.ts';
import { type SpawnedProcessor, spawnProcessor } from './support/spawnProcessor.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;
const targetEvents = 50_000;
const kills = 10;

describe('process: crashes', () => {
  let setup: TestConfig;
  let harness: Harness;
  let scenario: Scenario;
  let records: TestRecord[];
  const instances: SpawnedProcessor[] = [];
  let logFile: string;

  beforeAll(async () => {
    const stack = getStack();
    const probe = createScenario({ chainId, topics: topicNames('unused'), seed: 23 });
    setup = createTestConfig({
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      chainId,
      kinds: probe.kinds,
    });
    logFile = join(tmpdir(), `${setup.config.kafka.topicPrefix}-processors.log`);
    scenario = createScenario({ chainId, topics: topicNames(setup.config.kafka.topicPrefix), seed: 23 });
    let produced = 0;
    let reorgs = 0;
    while (produced < targetEvents) {
      scenario.blocks(400);
      if (reorgs++ % 3 === 0) scenario.reorg(2 + (reorgs % 4));
      produced = scenario.canonical().length;
    }
    records = scenario.drain();
    harness = await createHarness({ config: setup.config, chainId });
  });

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    await harness?.close();
  });

  it('keeps state exact and journals every event once, in order, when instances are SIGKILLed 10 times, with packed and single-event records', async () => {
    const live: (SpawnedProcessor | undefined)[] = [0, 1, 2].map(() => {
      const instance = spawnProcessor(setup.path, logFile);
      instances.push(instance);
      return instance;
    });
    const total = records.filter((record) => record.topic.endsWith('.events.confirmed')).length;
    const contracts = Object.keys(scenario.kinds);
    // Production is released chunk by chunk and each kill waits until the pipeline visibly moved
    // again, so every kill lands while events are being applied (not during a stall or when idle).
    const chunks = kills + 1;
    const chunkSize = Math.ceil(records.length / chunks);
    const random = createSeededRandom(5);
    const kills_: { applied: number; producedEntries: number }[] = [];
    let producedEntries = 0;
    for (let kill = 0; kill < kills; kill++) {
      const chunk = records.slice(kill * chunkSize, (kill + 1) * chunkSize);
      const before = await harness.appliedCount(contracts);
      // Every other chunk in packed records (as the ingestor writes them), the others one event per
      // record: a kill lands in the middle of a packed record's events as well.
      await produceRecords(harness.producer, chunk, 2_000, kill % 2 === 0 ? 50 : 1);
      producedEntries += chunk.filter((record) => record.topic.endsWith('.events.confirmed')).length;
      await waitFor(async () => (await harness.appliedCount(contracts)) >= before + 400, {
        description: `progress before kill ${kill + 1} (log: ${logFile})`,
        timeoutMs: 90_000,
        intervalMs: 100,
      });
      const slot = random.int(0, 2);
      const victim = live[slot]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills_.push({ applied: await harness.appliedCount(contracts), producedEntries });
      const replacement = spawnProcessor(setup.path, logFile);
      instances.push(replacement);
      live[slot] = replacement;
    }
    await produceRecords(harness.producer, records.slice(kills * chunkSize), 2_000, 50);
    await waitFor(async () => (await harness.appliedCount(contracts)) >= total, {
      description: `${total} journal entries (log: ${logFile})`,
      timeoutMs: 150_000,
      intervalMs: 500,
    });
    // Kills must have hit a running pipeline, not an idle one.
    console.log(
      `[crash test] applied/produced at each kill: ${kills_.map((k) => `${k.applied}/${k.producedEntries}`).join(', ')}`,
    );
    expect(kills_.filter((k) => k.applied < k.producedEntries).length).toBeGreaterThanOrEqual(5);
    await harness.waitForCommitted(60_000);
    expect(await harness.appliedCount(contracts)).toBe(total);

    await expectProjectionsExact({ harness, keyPrefix: setup.config.redis.keyPrefix, chainId, scenario });
    await expectJournalsExact(harness, records, contracts);
  }, 300_000);
});
