import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Abi, Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/dev-stack/createSeededRandom.ts';
import { compileContracts, waitFor } from '../../src/dev-stack/index.ts';
import { type ChainEvent, contractKeys, encodeEvent, topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import {
  type ConfirmedRecord,
  demoContractEntries,
  rawIngestConfig,
  readCommittedEvents,
} from '../ingest/support/ingestHarness.ts';
import { testLogger } from '../ingest/support/testLogger.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { createHarness, type Harness } from '../process/support/harness.ts';
import { produceRecords } from '../process/support/produce.ts';
import { type SpawnedProcessor, spawnProcessor } from '../process/support/spawnProcessor.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  reorg,
  replaceSince,
  seededTraffic,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { diffChainState } from './support/expectChainState.ts';

const confirmations = 2;
const kills = 10;
const spamTxsPerChunk = 2;
const logsPerTx = 2_400;
const erc1155Ids = [1n, 2n, 3n, 4n, 5n];

describe('pipeline: processor crashes under chain traffic', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let spammer: { address: Address; abi: Abi };
  let config: ResolvedConfig;
  let configPath: string;
  let logFile: string;
  let harness: Harness;
  let ingest: Ingest | undefined;
  const instances: SpawnedProcessor[] = [];

  beforeAll(async () => {
    const stack = getStack();
    chain = await startTestChain();
    const deployer = chain.walletClients[0]!;
    contracts = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: deployer });
    const artifact = compileContracts({ sourcesDir: join(import.meta.dirname, '../ingest/contracts') })
      .LogSpammer!;
    const hash = await deployer.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    spammer = { address: receipt.contractAddress!, abi: artifact.abi };

    const id = randomId('e2e-crash');
    const dir = mkdtempSync(join(tmpdir(), `${id}-`));
    writeFileSync(join(dir, 'LogSpammer.json'), JSON.stringify(artifact.abi));
    const raw = {
      ...rawIngestConfig({
        rpcHttp: chain.rpcHttp,
        rpcWs: chain.rpcWs,
        chainId: chain.chainId,
        contracts: [
          ...demoContractEntries(contracts),
          {
            name: 'Spammer',
            address: spammer.address,
            abi: 'LogSpammer.json',
            startBlock: receipt.blockNumber,
          },
        ],
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: id,
        keyPrefix: `${id}:`,
        pollIntervalMs: 200,
      }),
      process: { groupId: `${id}.process`, journalMaxEntries: 1_000_000, sessionTimeoutMs: 6_000 },
    };
    configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(raw, null, 2));
    config = parseConfig({ raw, baseDir: dir });
    logFile = join(dir, 'processors.log');
    harness = await createHarness({ config, chainId: chain.chainId });
    ingest = createIngest({ config, logger: testLogger('processor-crash') });
    await ingest.start();
  }, 120_000);

  afterAll(async () => {
    for (const instance of instances) instance.child.kill('SIGKILL');
    await Promise.all(instances.map((instance) => instance.exited));
    await ingest?.stop();
    await harness?.close();
    await chain?.stop();
  }, 60_000);

  it('keeps state exact and journals every confirmed event once, in order, when instances are SIGKILLed 10 times, and ignores the same events produced again', async () => {
    const { publicClient, testClient, chainId } = chain;
    const wallets = chain.walletClients.slice(1, 7);
    const traffic = (count: number, seed: number) =>
      seededTraffic({ publicClient, wallets, contracts }, count, seed);
    const spam = async (logs: number) => {
      const hash = await chain.walletClients[0]!.writeContract({
        address: spammer.address,
        abi: spammer.abi,
        functionName: 'spam',
        args: [BigInt(logs)],
        gas: 16_000_000n,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`spam(${logs}) reverted (${hash})`);
    };
    const head = async () => Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
    const addresses = [
      contracts.erc20.address,
      contracts.erc721.address,
      contracts.erc1155.address,
      spammer.address,
    ].map((address) => address.toLowerCase());
    const topics = topicNames(config.kafka.topicPrefix);
    let deepReorgs = 0;

    /** Token traffic and a reorg; every third chunk the reorg is deeper than `confirmations`. */
    const churn = async (chunk: number) => {
      await traffic(chunk === 0 ? 15 : 4, 1 + chunk);
      if (chunk % 3 !== 1) {
        // At most `confirmations` deep: the orphaned blocks never reach events.confirmed.
        await reorg(testClient, {
          depth: 1 + (chunk % confirmations),
          orphanedTxs: () => traffic(1, 500 + chunk),
          txs: () => traffic(1, 900 + chunk),
        });
        return;
      }
      // Orphans blocks whose events were confirmed already, so REMOVED records flow to the processors.
      const snapshot = await takeChainSnapshot(testClient);
      await spam(300);
      await traffic(confirmations + 1, 300 + chunk);
      const tip = await head();
      await waitForCheckpoint(harness.kafka, topics.checkpoints, chainId, tip - confirmations);
      await replaceSince(testClient, snapshot, { txs: () => traffic(confirmations + 3, 700 + chunk) });
      deepReorgs++;
    };
    /** The bulk of a chunk: spam transactions, buried at once so their events confirm together. */
    const flood = async () => {
      for (let tx = 0; tx < spamTxsPerChunk; tx++) await spam(logsPerTx);
      await mine(testClient, confirmations);
    };

    const live: SpawnedProcessor[] = [0, 1, 2].map(() => {
      const instance = spawnProcessor(configPath, logFile);
      instances.push(instance);
      return instance;
    });
    const random = createSeededRandom(7);
    const kills_: { applied: number; head: number }[] = [];
    for (let kill = 0; kill < kills; kill++) {
      await churn(kill);
      const before = await harness.appliedCount(addresses);
      await flood();
      // Each kill waits until the pipeline visibly moved on the flood, so it lands while events
      // are being applied (not during a stall or when idle).
      await waitFor(async () => (await harness.appliedCount(addresses)) >= before + 400, {
        description: `progress before kill ${kill + 1} (processor log: ${logFile})`,
        timeoutMs: 90_000,
        intervalMs: 100,
      });
      const slot = random.int(0, 2);
      const victim = live[slot]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills_.push({ applied: await harness.appliedCount(addresses), head: await head() });
      const replacement = spawnProcessor(configPath, logFile);
      instances.push(replacement);
      live[slot] = replacement;
    }
    await churn(kills);
    await flood();
    // Bury everything: the contracts' latest state is then the confirmed state.
    await mine(testClient, confirmations + 1);
    await waitForCheckpoint(harness.kafka, topics.checkpoints, chainId, (await head()) - confirmations);

    const records = (await readCommittedEvents(harness.kafka, topics.confirmed)).filter((record) =>
      addresses.includes(record.event.address),
    );
    const total = records.length;
    await waitFor(async () => (await harness.appliedCount(addresses)) >= total, {
      description: `${total} journal entries (processor log: ${logFile})`,
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await harness.waitForCommitted(60_000);
    console.log(
      `[processor crash e2e] ${total} events (${records.filter((r) => r.event.status === 'REMOVED').length} REMOVED); ` +
        `applied/produced at each kill: ${kills_.map((k) => `${k.applied}/${producedUpTo(records, k.head)}`).join(', ')}`,
    );
    expect(total).toBeGreaterThanOrEqual(50_000);
    expect(deepReorgs).toBe(4);
    expect(records.some((record) => record.event.status === 'REMOVED')).toBe(true);
    // Kills must have hit a running pipeline, not an idle one.
    expect(kills_.filter((k) => k.applied < producedUpTo(records, k.head)).length).toBeGreaterThanOrEqual(5);
    expect(await harness.appliedCount(addresses)).toBe(total);

    // Every event in the journal once, in order: each contract's journal is its confirmed records.
    for (const address of addresses) {
      const journal = await harness.journal(address);
      const produced = records
        .filter((record) => record.event.address === address)
        .map(({ event }) => `${event.id}/${event.status}`);
      expect(
        journal.map((entry) => `${entry.id}/${entry.status}`),
        `journal of ${address}`,
      ).toEqual(produced);
    }

    // Final state exact: the token projections equal the contracts at the head.
    const chainProblems = () =>
      diffChainState({
        chain,
        contracts,
        redis: harness.redis,
        keyPrefix: config.redis.keyPrefix,
        holders: wallets.map((wallet) => wallet.account.address),
        erc1155Ids,
      });
    expect(await chainProblems()).toEqual([]);

    // The spammer's per-event counts equal its net confirmed events, and those the chain's own tally.
    const counts = await harness.redis.hgetall(
      contractKeys(config.redis.keyPrefix, chainId, spammer.address).counts,
    );
    const expectedCounts = netCounts(records.filter((record) => record.event.address === addresses[3]));
    expect(counts).toEqual(expectedCounts);
    const pings = await publicClient.readContract({
      address: spammer.address,
      abi: spammer.abi,
      functionName: 'total',
    });
    expect(expectedCounts.Ping).toBe(String(pings));

    // The same events produced a second time, outside any transaction: state, journals and counts stay
    // as they are, and nothing is published again.
    const journalsBefore = await Promise.all(addresses.map((address) => harness.journal(address)));
    const subscriber = harness.redis.duplicate();
    const republished: string[] = [];
    subscriber.on('pmessage', (_pattern: string, channel: string) => republished.push(channel));
    await subscriber.psubscribe(
      `${config.redis.keyPrefix}ch:contract:*`,
      `${config.redis.keyPrefix}ch:account:*`,
    );
    try {
      await produceRecords(
        harness.producer,
        records.map((record) => ({
          topic: topics.confirmed,
          key: record.key,
          value: encodeEvent(record.event),
        })),
        // Batches stay under the broker's 1 MB message limit.
        500,
      );
      await harness.waitForCommitted(120_000);
      expect(await harness.appliedCount(addresses)).toBe(total);
      expect(await Promise.all(addresses.map((address) => harness.journal(address)))).toEqual(journalsBefore);
      expect(
        await harness.redis.hgetall(contractKeys(config.redis.keyPrefix, chainId, spammer.address).counts),
      ).toEqual(expectedCounts);
      expect(await chainProblems()).toEqual([]);
      expect(republished).toEqual([]);
    } finally {
      subscriber.disconnect();
    }
  }, 360_000);
});

/** Records of blocks up to `head`: what the chain had produced for events.confirmed at that moment. */
function producedUpTo(records: ConfirmedRecord[], head: number): number {
  return records.filter((record) => record.event.blockNumber <= head).length;
}

/** Per event name, the events confirmed and not removed again (the processor's counts hash). */
function netCounts(records: ConfirmedRecord[]): Record<string, string> {
  const live = new Map<string, ChainEvent>();
  for (const { event } of records) {
    if (event.status === 'REMOVED') live.delete(event.id);
    else live.set(event.id, event);
  }
  const counts: Record<string, number> = {};
  for (const event of live.values()) {
    const name = event.eventName ?? '__undecoded';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, String(count)]));
}
