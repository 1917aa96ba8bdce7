import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { ingestLockKey, topicNames } from '../../src/domain/index.ts';
import { readCheckpoint } from '../../src/ingest/checkpoint/readCheckpoint.ts';
import { createKafka } from '../../src/shared/kafka.ts';
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
  canonicalLogIds,
  demoContractEntries,
  netConfirmedIds,
  readCommittedEvents,
  writeIngestConfig,
} from './support/ingestHarness.ts';
import { hasLine, type IngestProcess, spawnIngest, waitForLine } from './support/spawnIngest.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 2;

describe('ingest crash safety', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let redis: Redis;
  const running: IngestProcess[] = [];
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    redis = new Redis(stack.redisUrl);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((ingest) => ingest.kill()));
  });

  afterAll(async () => {
    redis?.disconnect();
    await chain?.stop();
  });

  const wallets = () => chain.walletClients.slice(1, 5);
  const traffic = (count: number, seed: number) =>
    seededTraffic({ publicClient: chain.publicClient, wallets: wallets(), contracts }, count, seed);
  /** Buries the head `confirmations` deep and waits until the ingestor's checkpoint reaches it. */
  const confirmHead = async (checkpointsTopic: string) => {
    await mine(chain.testClient, confirmations);
    const confirmedHead = Number(await chain.publicClient.getBlockNumber()) - confirmations;
    await waitForCheckpoint(kafka, checkpointsTopic, chain.chainId, confirmedHead);
  };
  const addresses = () => [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
  const configFor = (prefix: string, maxBlockRange: number) =>
    writeIngestConfig({
      rpcHttp: chain.rpcHttp,
      rpcWs: chain.rpcWs,
      chainId: chain.chainId,
      contracts: demoContractEntries(contracts),
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      maxBlockRange,
      pollIntervalMs: 100,
      lockTtlMs: 3_000,
    });

  /** Committed records equal eth_getLogs up to the committed checkpoint: nothing missing, nothing twice. */
  async function expectExactlyOnceUpToCheckpoint(prefix: string) {
    const topics = topicNames(prefix);
    const checkpoint = await readCheckpoint({
      kafka,
      topic: topics.checkpoints,
      chainId: chain.chainId,
      groupId: randomId('cp'),
    });
    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    expect(records.every((record) => record.event.status === 'CONFIRMED')).toBe(true);
    const expected = checkpoint
      ? await canonicalLogIds(chain.publicClient, chain.chainId, addresses(), BigInt(checkpoint.blockNumber))
      : [];
    expect(ids).toEqual(expected);
    return { checkpoint, count: ids.length };
  }

  it('keeps every canonical event exactly once across 10 SIGKILLs during backfill and realtime', {
    timeout: 200_000,
  }, async () => {
    const prefix = randomId('ingest-kill');
    const topics = topicNames(prefix);
    // History for the backfill: token traffic spread over ~240 blocks, read 3 blocks at a time.
    for (let i = 0; i < 6; i++) {
      await traffic(20, 1 + i);
      await mine(chain.testClient, 20);
    }
    const configFile = configFor(prefix, 3);
    const counts: number[] = [];
    const phases: string[] = [];
    let seed = 100;
    // Node + tsx take seconds to start on a loaded machine, so a pool of warm standbys is kept:
    // the kill moments are set by the test, not by start-up time, and a standby takes over at once.
    const alive = (ingest: IngestProcess) =>
      ingest.child.exitCode === null && ingest.child.signalCode === null;
    const pool = [0, 1, 2].map(() => spawnIngest(configFile));
    running.push(...pool);
    const activeOne = async (exclude?: IngestProcess) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const active = pool.find(
          (ingest) => ingest !== exclude && alive(ingest) && hasLine(ingest, 'Acquired the chain lock'),
        );
        if (active) return active;
        if (Date.now() > deadline) throw new Error('No ingestor took the chain lock within 60 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    let current = await activeOne();
    for (let round = 0; round < 10; round++) {
      // The first rounds die inside the backfill, the later ones while following heads.
      await waitFor(
        () => (round < 4 && hasLine(current, 'Backfilling')) || hasLine(current, 'Following heads'),
        {
          description: 'the active ingestor at work',
          timeoutMs: 60_000,
          intervalMs: 20,
        },
      );
      const deadline = Date.now() + 200 + Math.floor(Math.random() * 2_000);
      while (Date.now() < deadline) await traffic(1, seed++);
      phases.push(hasLine(current, 'Following heads') ? 'realtime' : 'backfill');
      expect(await current.kill('SIGKILL')).toBe('SIGKILL');
      // The killed leader's lock would expire after its TTL; delete it so a standby starts at once.
      await redis.del(ingestLockKey(`${prefix}:`, chain.chainId));
      const { count } = await expectExactlyOnceUpToCheckpoint(prefix);
      counts.push(count);
      const replacement = spawnIngest(configFile);
      pool.push(replacement);
      running.push(replacement);
      current = await activeOne(current);
    }
    console.log(
      `[ingest kill] killed during: ${phases.join(', ')}; confirmed events after each: ${counts.join(', ')}`,
    );
    // The restarts made progress: the checkpoint moved forward over the rounds.
    expect(counts[counts.length - 1]).toBeGreaterThan(counts[0]!);

    await traffic(3, seed++);
    await confirmHead(topics.checkpoints);
    const { count } = await expectExactlyOnceUpToCheckpoint(prefix);
    // 120 history transactions plus the live ones, each with at least one event.
    expect(count).toBeGreaterThan(120);
  });

  it('runs one active ingestor per chain; the standby takes over with no gap and no duplicate', async () => {
    const prefix = randomId('ingest-ha');
    const topics = topicNames(prefix);
    const configFile = configFor(prefix, 50);
    const first = spawnIngest(configFile);
    running.push(first);
    await waitForLine(first, 'Acquired the chain lock');
    const second = spawnIngest(configFile);
    running.push(second);
    const activeLine = (ingest: IngestProcess) => hasLine(ingest, 'Acquired the chain lock');
    await waitForLine(second, 'standing by');
    await traffic(5, 500);
    await confirmHead(topics.checkpoints);
    expect(activeLine(first)).toBe(true);
    expect(activeLine(second)).toBe(false);

    await first.kill('SIGKILL');
    const takeoverStarted = Date.now();
    await traffic(5, 501);
    await waitForLine(second, 'Acquired the chain lock');
    // The lock TTL (3 s) bounds the takeover; allow for a loaded machine.
    expect(Date.now() - takeoverStarted).toBeLessThan(15_000);
    await traffic(5, 502);
    await confirmHead(topics.checkpoints);
    const { count } = await expectExactlyOnceUpToCheckpoint(prefix);
    expect(count).toBeGreaterThan(15);
  });
});
