import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis as RedisClient } from 'ioredis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { readCheckpoint } from '../../src/ingest/checkpoint/readCheckpoint.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { parseConfig } from '../../src/shared/config/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createLogger } from '../../src/shared/logger.ts';
import {
  canonicalLogIds,
  demoContractEntries,
  netConfirmedIds,
  readCommittedEvents,
} from '../ingest/support/ingestHarness.ts';
import { type RpcProxy, startRpcProxy } from '../ingest/support/rpcProxy.ts';
import { type IngestProcess, spawnIngest, waitForLine } from '../ingest/support/spawnIngest.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  reorg,
  runTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { diffChainState } from './support/expectChainState.ts';

// Two chains in one pipeline, each with its own chain id, traffic and reorgs. One chain's node goes
// away in the middle (its RPC endpoint stops answering, HTTP and WebSocket, as a stopped node does,
// while the chain goes on) and comes back: the other chain keeps confirming meanwhile, and both end
// exact (the confirmed topic equals each chain's canonical logs, the projections equal the chains).

const confirmations = 2;
const erc1155Ids = [1n, 2n, 3n, 4n, 5n];

type Side = { chain: TestChain; contracts: DemoContracts };

describe('end to end: two chains at once', () => {
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'two-chains-test' });
  let a: Side;
  let b: Side;
  let proxy: RpcProxy;
  let redis: RedisClient;
  const running: (Ingest | Processor)[] = [];
  const processes: IngestProcess[] = [];

  beforeAll(async () => {
    const [chainA, chainB] = await Promise.all([startTestChain(), startTestChain({ chainId: 31_338 })]);
    a = {
      chain: chainA,
      contracts: await deployDemoContracts({
        publicClient: chainA.publicClient,
        walletClient: chainA.walletClients[0]!,
      }),
    };
    b = {
      chain: chainB,
      contracts: await deployDemoContracts({
        publicClient: chainB.publicClient,
        walletClient: chainB.walletClients[0]!,
      }),
    };
    proxy = await startRpcProxy(chainA.rpcHttp);
    redis = new Redis(stack.redisUrl);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((ingest) => ingest.kill()));
    for (const role of running.reverse()) await role.stop();
    redis?.disconnect();
    await proxy?.close();
    await a?.chain.stop();
    await b?.chain.stop();
  });

  const traffic = (side: Side, seed: number, count: number) =>
    runTraffic({
      publicClient: side.chain.publicClient,
      wallets: side.chain.walletClients.slice(1, 5),
      contracts: side.contracts,
      count,
      seed,
      everyKindFirst: seed === 1,
    });
  const shallowReorg = (side: Side, seed: number) =>
    reorg(side.chain.testClient, {
      depth: 1,
      orphanedTxs: () => traffic(side, 500 + seed, 1),
      txs: () => traffic(side, 900 + seed, 1),
    });

  const entries = (contracts: DemoContracts, suffix: string) =>
    demoContractEntries(contracts).map((entry) => ({
      ...entry,
      name: `${entry.name}${suffix}`,
      startBlock: Number(entry.startBlock),
    }));

  it.each(['one process', 'separate processes'])(
    'confirms each chain on its own, keeps one going while the other’s node is away, and ends exact on both (ingest in $0)',
    async (mode) => {
      const id = randomId('two-chains');
      const topics = topicNames(id);
      const raw = {
        chains: [
          {
            chainId: a.chain.chainId,
            rpc: { http: proxy.url, ws: proxy.wsUrl },
            confirmations,
            contracts: entries(a.contracts, ''),
          },
          {
            chainId: b.chain.chainId,
            rpc: { http: b.chain.rpcHttp, ws: b.chain.rpcWs },
            confirmations,
            contracts: entries(b.contracts, 'B'),
          },
        ],
        kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 3 },
        redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
        process: { groupId: `${id}.process` },
      };
      const config = parseConfig({ raw, baseDir: '.' });
      expect(a.chain.chainId).not.toBe(b.chain.chainId);
      const logger = createLogger('two-chains', { test: id });
      const processor = createProcessor({ config, logger });
      await processor.start();
      running.push(processor);
      // Resolves (it never should) when an ingestor stops.
      let ingestStopped: Promise<unknown>;
      if (mode === 'one process') {
        const ingest = createIngest({ config, logger });
        await ingest.start();
        running.push(ingest);
        ingestStopped = ingest.done;
      } else {
        // One ingest process per chain, each with a config of its chain alone, the same topics and keys.
        const spawned = raw.chains.map((chain) => {
          const file = join(mkdtempSync(join(tmpdir(), 'bw-two-chains-')), 'config.json');
          writeFileSync(file, JSON.stringify({ ...raw, chains: [chain] }));
          const ingest = spawnIngest(file);
          processes.push(ingest);
          return ingest;
        });
        await Promise.all(spawned.map((ingest) => waitForLine(ingest, 'Acquired the chain lock')));
        ingestStopped = Promise.race(
          spawned.map((ingest) => new Promise((resolve) => ingest.child.once('exit', resolve))),
        );
      }

      for (let round = 0; round < 3; round++) {
        await Promise.all([traffic(a, 1 + round * 10, 12), traffic(b, 1 + round * 10, 12)]);
        await Promise.all([shallowReorg(a, round), shallowReorg(b, round)]);
      }
      await Promise.all([mine(a.chain.testClient, confirmations), mine(b.chain.testClient, confirmations)]);

      // Chain A's node goes away; chain A goes on without it being seen, with a reorg too.
      await proxy.down();
      const aHeadAtDown = Number(await a.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      const bHead = Number(await b.chain.publicClient.getBlockNumber({ cacheTime: 0 }));
      await Promise.all([traffic(a, 100, 8), traffic(b, 100, 8)]);
      await Promise.all([shallowReorg(a, 10), shallowReorg(b, 10)]);
      await Promise.all([mine(a.chain.testClient, confirmations), mine(b.chain.testClient, confirmations)]);
      // Chain B confirms what was mined after A went away, while A is still away.
      const bTarget = Number(await b.chain.publicClient.getBlockNumber({ cacheTime: 0 })) - confirmations;
      expect(bTarget).toBeGreaterThan(bHead);
      await Promise.race([
        waitForCheckpoint(kafka, topics.checkpoints, b.chain.chainId, bTarget, 60_000),
        ingestStopped.then(() => {
          throw new Error('an ingestor stopped while chain A was away');
        }),
      ]);
      // Chain A's ingestor saw nothing of what was mined meanwhile: the outage was real.
      const aCheckpoint = await readCheckpoint({
        kafka,
        topic: topics.checkpoints,
        chainId: a.chain.chainId,
        groupId: randomId('two-chains-cp'),
      });
      expect(aCheckpoint?.blockNumber).toBeLessThanOrEqual(aHeadAtDown);
      await proxy.up();

      for (let round = 0; round < 2; round++) {
        await Promise.all([traffic(a, 200 + round, 6), traffic(b, 200 + round, 6)]);
        await Promise.all([shallowReorg(a, 20 + round), shallowReorg(b, 20 + round)]);
      }
      await Promise.all([
        mine(a.chain.testClient, confirmations + 1),
        mine(b.chain.testClient, confirmations + 1),
      ]);

      for (const side of [a, b]) {
        const { chain, contracts } = side;
        const target = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 })) - confirmations;
        await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, target, 90_000);
        const addresses = [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
        const records = (await readCommittedEvents(kafka, topics.confirmed)).filter(
          (record) => record.event.chainId === chain.chainId,
        );
        const { ids, duplicates, disorders } = netConfirmedIds(records);
        expect(duplicates, `chain ${chain.chainId}`).toEqual([]);
        expect(disorders, `chain ${chain.chainId}`).toEqual([]);
        expect(ids, `chain ${chain.chainId}`).toEqual(
          await canonicalLogIds(chain.publicClient, chain.chainId, addresses, BigInt(target)),
        );
        let problems: string[] = [];
        await waitFor(
          async () => {
            problems = await diffChainState({
              chain,
              contracts,
              redis,
              keyPrefix: config.redis.keyPrefix,
              holders: chain.walletClients.slice(1, 5).map((wallet) => wallet.account.address),
              erc1155Ids,
            });
            return problems.length === 0;
          },
          {
            description: `Redis projection equal to chain ${chain.chainId}`,
            timeoutMs: 90_000,
            intervalMs: 1000,
          },
        ).catch(() => undefined);
        expect(problems, `chain ${chain.chainId}`).toEqual([]);
      }
    },
  );
});
