import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { eventKey, topicNames } from '../../src/domain/index.ts';
import { consumeToEnd } from '../../src/ingest/kafka-read/consumeToEnd.ts';
import { dlqHeaders } from '../../src/process/dlq/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { mine, reorg, runTraffic, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { diffChainState } from './support/expectChainState.ts';
import { type Pipeline, startPipeline } from './support/pipeline.ts';

const confirmations = 3;
const erc1155Ids = [1n, 2n, 3n, 4n, 5n];

describe('pipeline: chain → ingest → Kafka → process → Redis', () => {
  let chain: TestChain;
  let pipeline: Pipeline;
  let redis: Redis;
  const kafka = createKafka({ brokers: getStack().kafkaBrokers, clientId: 'e2e-projections' });

  beforeAll(async () => {
    chain = await startTestChain();
    pipeline = await startPipeline({ chain, confirmations });
    redis = new Redis(getStack().redisUrl);
  });

  afterAll(async () => {
    await pipeline?.stop();
    redis?.disconnect();
    await chain?.stop();
  });

  it('projects balances, owners, supply and holders equal to the contracts at the confirmed head, across reorgs and poison messages', async () => {
    const wallets = chain.walletClients.slice(1, 7);
    const { publicClient, testClient } = chain;
    const contracts = pipeline.contracts;
    let reorgs = 0;
    await runTraffic({ publicClient, wallets, contracts, count: 15, seed: 1 });
    // Poison among the ingestor's records: each goes to the DLQ and the events after it still apply.
    const topics = topicNames(pipeline.config.kafka.topicPrefix);
    const key = eventKey(chain.chainId, contracts.erc20.address);
    const poison = [
      { key, value: 'not json {', reason: 'value is not JSON' },
      { key, value: JSON.stringify({ v: 1, id: 'x' }), reason: 'status' },
      { key: 'not-a-contract-key', value: 'still not json', reason: 'value is not JSON' },
    ];
    for (let round = 0; round < 12; round++) {
      if (round === 6) {
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({
          topic: topics.confirmed,
          messages: poison.map(({ key: k, value }) => ({ key: k, value })),
        });
        await producer.disconnect();
      }
      await runTraffic({
        publicClient,
        wallets,
        contracts,
        count: 3,
        seed: 100 + round,
        everyKindFirst: false,
      });
      // Shallower than `confirmations`: these must never reach the confirmed topic.
      await reorg(testClient, {
        depth: 1 + (round % (confirmations - 1)),
        orphanedTxs: () =>
          runTraffic({
            publicClient,
            wallets,
            contracts,
            count: 1,
            seed: 500 + round,
            everyKindFirst: false,
          }),
        txs: () =>
          runTraffic({
            publicClient,
            wallets,
            contracts,
            count: 1,
            seed: 900 + round,
            everyKindFirst: false,
          }),
      });
      reorgs++;
    }
    // Bury the last transactions so the contracts' latest state is the confirmed state.
    await mine(testClient, confirmations + 1);

    const holders = wallets.map((wallet) => wallet.account.address);
    let problems: string[] = [];
    await waitFor(
      async () => {
        problems = await diffChainState({
          chain,
          contracts,
          redis,
          keyPrefix: pipeline.config.redis.keyPrefix,
          holders,
          erc1155Ids,
        });
        return problems.length === 0;
      },
      { description: 'Redis projection equal to the chain', timeoutMs: 90_000, intervalMs: 1000 },
    ).catch(() => undefined);
    expect(reorgs).toBe(12);
    expect(problems).toEqual([]);

    const letters: { value: string; reason: string }[] = [];
    await waitFor(
      async () => {
        letters.length = 0;
        await consumeToEnd({
          kafka,
          topic: topics.dlq,
          groupId: randomId('e2e-dlq-read'),
          onMessage: (message) =>
            letters.push({
              value: message.value?.toString() ?? '',
              reason: String(message.headers?.[dlqHeaders.reason] ?? ''),
            }),
        });
        return letters.length >= poison.length;
      },
      { description: 'poison messages in the DLQ', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(letters.map((letter) => letter.value).sort()).toEqual(poison.map((bad) => bad.value).sort());
    for (const bad of poison)
      expect(letters.find((letter) => letter.value === bad.value)?.reason).toContain(bad.reason);
  });
});
