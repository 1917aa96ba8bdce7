import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import {
  demoContractEntries,
  rawIngestConfig,
  readCommittedEvents,
} from '../ingest/support/ingestHarness.ts';
import { testLogger } from '../ingest/support/testLogger.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { createHarness, type Harness } from '../process/support/harness.ts';
import { type SpawnedProcessor, spawnProcessor } from '../process/support/spawnProcessor.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  seededTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  missingSettlements,
  pendingProblems,
  recordStatuses,
  recordSubscribedStatuses,
  type StatusRecorder,
  type SubscriberRecorder,
} from './support/pendingOrder.ts';

const confirmations = 2;
const rounds = 2;

describe('pipeline: the pending stream when processor instances are SIGKILLed', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let config: ResolvedConfig;
  let configPath: string;
  let logFile: string;
  let harness: Harness;
  let ingest: Ingest | undefined;
  let statuses: StatusRecorder | undefined;
  let gateway: Gateway | undefined;
  let wsUrl: string;
  let subscriber: SubscriberRecorder | undefined;
  const instances: SpawnedProcessor[] = [];

  beforeAll(async () => {
    const stack = getStack();
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    const id = randomId('e2e-pending');
    const dir = mkdtempSync(join(tmpdir(), `${id}-`));
    const raw = {
      ...rawIngestConfig({
        rpcHttp: chain.rpcHttp,
        rpcWs: chain.rpcWs,
        chainId: chain.chainId,
        contracts: demoContractEntries(contracts),
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: id,
        keyPrefix: `${id}:`,
        pollIntervalMs: 200,
      }),
      process: { groupId: `${id}.process`, sessionTimeoutMs: 6_000 },
      gateway: { port: 0, maskErrors: false },
    };
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    config = parseConfig({ raw, baseDir: dir });
    logFile = join(dir, 'processors.log');
    harness = await createHarness({ config, chainId: chain.chainId });
    ingest = createIngest({ config, logger: testLogger('pending-after-crash') });
    await ingest.start();
    gateway = createGateway({ config, logger: testLogger('pending-after-crash-gateway') });
    wsUrl = (await gateway.start()).url.replace(/^http/, 'ws');
  }, 120_000);

  afterAll(async () => {
    statuses?.stop();
    subscriber?.stop();
    await gateway?.stop();
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    await ingest?.stop();
    await harness?.close();
    await chain?.stop();
  }, 60_000);

  it('a graphql-ws subscriber with includePending gets every PENDING settled by CONFIRMED or REMOVED of its id and none after its CONFIRMED', async () => {
    const { publicClient, testClient, chainId } = chain;
    const wallets = chain.walletClients.slice(1, 7);
    const traffic = (count: number, seed: number) =>
      seededTraffic({ publicClient, wallets, contracts }, count, seed);
    const topics = topicNames(config.kafka.topicPrefix);
    const pendingGroup = `${config.process.groupId}.pending`;
    const addresses = [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address].map(
      (address) => address.toLowerCase(),
    );
    // What a dApp sees: a graphql-ws client of `events` with `includePending`. It listens before the
    // Redis recorder below, so every CONFIRMED or REMOVED that recorder gets must reach it too.
    subscriber = recordSubscribedStatuses(wsUrl, chainId);
    await waitFor(() => gateway?.stats().listeners === 1, {
      description: 'the GraphQL subscription to listen',
      timeoutMs: 20_000,
      abort: subscriber.failure,
    });
    const delivered = subscriber.sequences;
    // Everything the processors publish, pending and confirmed, as one Redis subscriber sees it.
    statuses = await recordStatuses(harness.redis, config.redis.keyPrefix, chainId);
    const recorded = statuses.sequences;
    /** Member ids of the pending group once it is stable (empty while it rebalances). */
    const members = async () => {
      const { groups } = await harness.admin.describeGroups([pendingGroup]);
      const group = groups[0];
      return group?.state === 'Stable' ? group.members.map((member) => member.memberId) : [];
    };

    const live: SpawnedProcessor[] = [0, 1, 2].map(() => {
      const instance = spawnProcessor(configPath, logFile);
      instances.push(instance);
      return instance;
    });
    await traffic(15, 1);
    await waitFor(async () => (await members()).length === 3, {
      description: `three members in the pending group (processor log: ${logFile})`,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
    let seed = 2;
    for (let round = 0; round < rounds; round++) {
      await traffic(4, seed++);
      const dead = await members();
      // Every instance is SIGKILLed and replaced at once: all partitions wait for the dead members'
      // sessions to expire, those of events.confirmed (process.sessionTimeoutMs) sooner than those of
      // events.pending, so confirmed events of the blocks mined meanwhile are applied while their
      // pending events are still queued.
      for (const [slot, victim] of live.entries()) {
        victim.child.kill('SIGKILL');
        await victim.exited;
        const replacement = spawnProcessor(configPath, logFile);
        instances.push(replacement);
        live[slot] = replacement;
      }
      // Traffic until the pending group settled with the replacements only.
      const settled = async () => {
        const current = await members();
        return current.length === 3 && current.every((id) => !dead.includes(id));
      };
      do await traffic(2, seed++);
      while (!(await settled()));
    }
    await traffic(4, seed++);
    await mine(testClient, confirmations + 1);
    const head = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
    await waitForCheckpoint(harness.kafka, topics.checkpoints, chainId, head - confirmations);
    const records = (await readCommittedEvents(harness.kafka, topics.confirmed)).filter((record) =>
      addresses.includes(record.event.address),
    );
    await waitFor(async () => (await harness.appliedCount(addresses)) >= records.length, {
      description: `${records.length} journal entries (processor log: ${logFile})`,
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    // The last PENDING events may still be on their way behind the last CONFIRMED ones, and the
    // gateway forwards what Redis published a moment later.
    const settled = (sequences: Map<string, string[]>) =>
      pendingProblems(sequences).every((problem) => !problem.includes('never followed'));
    await waitFor(
      () => settled(recorded) && settled(delivered) && missingSettlements(recorded, delivered).length === 0,
      {
        description:
          'every PENDING to be followed by CONFIRMED or REMOVED, on Redis and at the GraphQL client',
        timeoutMs: 60_000,
        intervalMs: 500,
        abort: subscriber.failure,
      },
    ).catch(() => {});

    const pendingIds = (sequences: Map<string, string[]>) =>
      [...sequences.values()].filter((list) => list.includes('PENDING')).length;
    console.log(
      `[pending e2e] ${records.length} confirmed records; ids delivered as PENDING: ${pendingIds(recorded)} on Redis, ${pendingIds(delivered)} to the GraphQL client`,
    );
    expect(subscriber.failure()).toBeUndefined();
    expect(pendingIds(recorded)).toBeGreaterThan(0);
    expect(pendingProblems(recorded)).toEqual([]);
    expect(missingSettlements(recorded, delivered)).toEqual([]);
    expect(pendingIds(delivered)).toBeGreaterThan(0);
    expect(pendingProblems(delivered)).toEqual([]);
  }, 300_000);
});
