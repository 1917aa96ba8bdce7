import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { contractKeys, topicNames } from '../../src/domain/index.ts';
import { processMetrics } from '../../src/process/metrics.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { readCommittedEvents } from '../ingest/support/ingestHarness.ts';
import { type PrivateRedis, startPrivateRedis } from '../process/support/privateRedis.ts';
import { mine, reorg, seededTraffic, startTestChain, type TestChain } from '../support/chain.ts';
import { getStack } from '../support/stack.ts';
import { diffChainState } from './support/expectChainState.ts';
import { type Pipeline, startPipeline } from './support/pipeline.ts';

const confirmations = 2;
const erc1155Ids = [1n, 2n, 3n, 4n, 5n];

// Runs its own redis-server: FLUSHALL must never reach the Redis other test files share.
describe('pipeline: Redis emptied in the middle of a run', () => {
  let chain: TestChain;
  let redisServer: PrivateRedis;
  let pipeline: Pipeline;
  let redis: Redis;

  beforeAll(async () => {
    chain = await startTestChain();
    redisServer = await startPrivateRedis();
    pipeline = await startPipeline({ chain, confirmations, redisUrl: redisServer.url });
    redis = new Redis(redisServer.url);
  });

  afterAll(async () => {
    await pipeline?.stop();
    redis?.disconnect();
    await redisServer?.stop();
    await chain?.stop();
  });

  it('rebuilds every projection and journal from Kafka after FLUSHALL, without a manual step', async () => {
    const wallets = chain.walletClients.slice(1, 6);
    const { publicClient, testClient } = chain;
    const { contracts, config } = pipeline;
    const traffic = (count: number, seed: number) =>
      seededTraffic({ publicClient, wallets, contracts }, count, seed);
    const round = async (seed: number) => {
      await traffic(3, seed);
      await reorg(testClient, {
        depth: 1,
        orphanedTxs: () => traffic(1, seed + 1_000),
        txs: () => traffic(1, seed + 2_000),
      });
    };
    const journalKeys = async () => redis.keys(`${config.redis.keyPrefix}c:*:journal`);

    await traffic(12, 1);
    for (let seed = 10; seed < 14; seed++) await round(seed);
    await waitFor(async () => (await journalKeys()).length === 3, {
      description: 'every contract journaled before the flush',
      timeoutMs: 60_000,
    });

    const rebuildsBefore = (await processMetrics.rebuilds.get()).values[0]?.value ?? 0;
    await redis.flushall();
    for (let seed = 20; seed < 24; seed++) await round(seed);
    await mine(testClient, confirmations + 1);

    const holders = wallets.map((wallet) => wallet.account.address);
    let problems: string[] = ['not checked yet'];
    await waitFor(
      async () => {
        problems = await diffChainState({
          chain,
          contracts,
          redis,
          keyPrefix: config.redis.keyPrefix,
          holders,
          erc1155Ids,
        });
        return problems.length === 0;
      },
      { description: 'Redis rebuilt equal to the chain', timeoutMs: 120_000, intervalMs: 1_000 },
    ).catch(() => undefined);
    expect(problems).toEqual([]);
    expect((await processMetrics.rebuilds.get()).values[0]?.value ?? 0).toBeGreaterThan(rebuildsBefore);

    // The journals were rebuilt too: each holds its contract's records of events.confirmed, in order.
    const kafka = createKafka({ brokers: getStack().kafkaBrokers, clientId: 'e2e-flushall' });
    const records = await readCommittedEvents(kafka, topicNames(config.kafka.topicPrefix).confirmed);
    for (const address of [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address]) {
      const expected = records
        .filter((record) => record.event.address === address.toLowerCase())
        .map(({ event }) => `${event.id}/${event.status}`);
      expect(expected.length).toBeGreaterThan(0);
      let journal: string[] = [];
      await waitFor(
        async () => {
          const key = contractKeys(config.redis.keyPrefix, chain.chainId, address).journal;
          const entries = await redis.xrange(key, '-', '+');
          journal = entries.map(([, fields]) => {
            const event = JSON.parse(fields[1]!) as { id: string; status: string };
            return `${event.id}/${event.status}`;
          });
          return journal.length >= expected.length;
        },
        { description: `journal of ${address} rebuilt`, timeoutMs: 60_000 },
      ).catch(() => undefined);
      expect(journal, `journal of ${address}`).toEqual(expected);
    }
  }, 300_000);
});
