import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type Address, getAddress, parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DeployedContract,
  deployPairFactory,
  mine,
  pairAbi,
  pairFactoryAbi,
  readFactoryChildren,
  reorg,
  replaceSince,
  runFactoryTraffic,
  takeChainSnapshot,
  waitFor,
} from '../../src/dev-stack/index.ts';
import { ingestLockKey, topicNames } from '../../src/domain/index.ts';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import { readCheckpoint } from '../../src/ingest/checkpoint/readCheckpoint.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createLogger } from '../../src/shared/logger.ts';
import {
  canonicalLogIds,
  netConfirmedIds,
  rawIngestConfig,
  readCommittedEvents,
} from '../ingest/support/ingestHarness.ts';
import { hasLine, type IngestProcess, spawnIngest } from '../ingest/support/spawnIngest.ts';
import { waitForCheckpoint } from '../ingest/support/waitForCheckpoint.ts';
import { startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';

// A factory of our own creates children during random traffic, with shallow reorgs (some orphaning
// a creation, whose address the factory then gives to a later child), a reorg deeper than the
// confirmations that orphans confirmed creations, and the active ingestor SIGKILLed several times.
// At the end events.confirmed holds exactly the chain's canonical logs of the factory and of every
// surviving child, nothing of a child that no longer exists, and GraphQL lists the chain's children.

const confirmations = 2;
const abis = join(import.meta.dirname, '../../examples/abis');

describe('end to end: contracts created by a factory', () => {
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'factory-e2e-test' });
  let chain: TestChain;
  let factory: DeployedContract<typeof pairFactoryAbi>;
  let redis: Redis;
  const processes: IngestProcess[] = [];
  const roles: (Processor | Gateway)[] = [];

  beforeAll(async () => {
    chain = await startTestChain();
    factory = await deployPairFactory({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    redis = new Redis(stack.redisUrl);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((ingest) => ingest.kill()));
    for (const role of roles.reverse()) await role.stop();
    redis?.disconnect();
    await chain?.stop();
  });

  const wallets = () => chain.walletClients.slice(1, 5);
  const traffic = (count: number, seed: number) =>
    runFactoryTraffic({ publicClient: chain.publicClient, wallets: wallets(), factory, count, seed });
  /** Creates a pair and swaps on it in one transaction; returns the pair (lower-case). */
  const createPairAndSwap = async () => {
    const wallet = chain.walletClients[5]!;
    const hash = await wallet.writeContract({
      address: factory.address,
      abi: pairFactoryAbi,
      functionName: 'createPairAndSwap',
      args: [wallet.account.address, 5n, 7n],
    });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    const [created] = parseEventLogs({ abi: pairFactoryAbi, logs: receipt.logs, eventName: 'PairCreated' });
    return created!.args.pair.toLowerCase() as Address;
  };
  /** A swap on an existing pair from an account the traffic does not use. */
  const swapOn = async (pair: Address) => {
    const hash = await chain.walletClients[6]!.writeContract({
      address: pair,
      abi: pairAbi,
      functionName: 'swap',
      args: [11n, 13n],
    });
    await chain.publicClient.waitForTransactionReceipt({ hash });
  };

  function configOf(prefix: string) {
    const raw = rawIngestConfig({
      rpcHttp: chain.rpcHttp,
      rpcWs: chain.rpcWs,
      chainId: chain.chainId,
      contracts: [
        {
          name: 'PairFactory',
          address: factory.address,
          abi: join(abis, 'PairFactory.json'),
          startBlock: factory.startBlock,
        },
      ],
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      maxBlockRange: 7,
      pollIntervalMs: 100,
      lockTtlMs: 3_000,
    });
    const [entry] = raw.chains;
    (entry!.contracts as unknown[]).push({
      name: 'Pair',
      abi: join(abis, 'Pair.json'),
      factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
      // Each child's own state, which its views give too.
      projections: [
        {
          name: 'Reserves',
          key: 'log.address',
          on: { Swap: { add: { reserve0: 'args.amount0', reserve1: 'args.amount1', swaps: 1 } } },
        },
      ],
    });
    // A small cap, so the children are asked for in several chunks.
    Object.assign(entry!, { factoryLogFilter: { maxAddressesPerCall: 4, topicOnlyAbove: 1_000 } });
    Object.assign(raw, {
      process: { groupId: `${prefix}.process` },
      gateway: { port: 0, maskErrors: false },
    });
    const file = join(mkdtempSync(join(tmpdir(), 'bw-factory-')), 'config.json');
    writeFileSync(file, JSON.stringify(raw, null, 2));
    const config: ResolvedConfig = parseConfig({ raw, baseDir: process.cwd() });
    return { file, config };
  }

  /** The factory's children as GraphQL lists them, page by page. */
  async function childrenOverGraphql(url: string): Promise<string[]> {
    const children: string[] = [];
    let after: string | null = null;
    for (;;) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `query Children($chainId: Int!, $after: String) {
            PairFactory_PairChildrenList(chainId: $chainId, first: 50, after: $after) {
              items { pair createdAtBlock }
              endCursor
              hasNextPage
            }
          }`,
          variables: { chainId: chain.chainId, after },
        }),
      });
      const body = (await response.json()) as {
        data?: {
          PairFactory_PairChildrenList: {
            items: { pair: string }[];
            endCursor: string | null;
            hasNextPage: boolean;
          };
        };
        errors?: unknown;
      };
      if (!body.data) throw new Error(`Children query failed: ${JSON.stringify(body.errors)}`);
      const page = body.data.PairFactory_PairChildrenList;
      children.push(...page.items.map((item) => item.pair.toLowerCase()));
      if (!page.hasNextPage) return children;
      after = page.endCursor;
    }
  }

  it('follows exactly the surviving children through reorgs and ingest SIGKILLs', {
    timeout: 300_000,
  }, async () => {
    const prefix = randomId('factory-e2e');
    const topics = topicNames(prefix);
    const { file, config } = configOf(prefix);
    const logger = createLogger('factory-e2e', { test: prefix });
    const processor = createProcessor({ config, logger });
    await processor.start();
    roles.push(processor);
    const gateway = createGateway({ config, logger });
    const graphqlUrl = (await gateway.start()).url;
    roles.push(gateway);

    // History for the backfill.
    await traffic(12, 1);
    await mine(chain.testClient, 10);

    // Warm standbys take over at once when the active ingestor is SIGKILLed.
    const alive = (ingest: IngestProcess) =>
      ingest.child.exitCode === null && ingest.child.signalCode === null;
    const pool = [0, 1].map(() => spawnIngest(file));
    processes.push(...pool);
    const activeOne = async (exclude?: IngestProcess) =>
      waitFor(
        () =>
          pool.find(
            (ingest) => ingest !== exclude && alive(ingest) && hasLine(ingest, 'Acquired the chain lock'),
          ),
        { description: 'an active ingestor', timeoutMs: 60_000, intervalMs: 50 },
      );
    let current = await activeOne();
    const kill = async () => {
      expect(await current.kill('SIGKILL')).toBe('SIGKILL');
      await redis.del(ingestLockKey(`${prefix}:`, chain.chainId));
      const replacement = spawnIngest(file);
      pool.push(replacement);
      processes.push(replacement);
      current = await activeOne(current);
    };

    const orphanedCreations: Address[] = [];
    let seed = 100;
    for (let round = 0; round < 6; round++) {
      await traffic(6, seed++);
      // A shallow reorg orphaning a creation: the factory's next creation reuses its address.
      const result = await reorg(chain.testClient, {
        depth: 2,
        orphanedTxs: async () => orphanedCreations.push(await createPairAndSwap()),
        txs: () => traffic(1, seed++),
      });
      expect(result.orphaned.length).toBeGreaterThan(0);
      if (round % 2 === 1) await kill();
    }
    await mine(chain.testClient, confirmations + 1);

    // A reorg deeper than the confirmations orphans confirmed creations and the children's logs.
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    const existing = await readFactoryChildren({ publicClient: chain.publicClient, factory });
    const lost: Address[] = [];
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations);
    // The orphaned branch is confirmed before the chain switches.
    const snapshot = await takeChainSnapshot(chain.testClient);
    const pair = await createPairAndSwap();
    lost.push(pair);
    await swapOn(pair);
    await swapOn(existing[0]! as Address);
    await mine(chain.testClient, confirmations);
    const orphanedTip = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, orphanedTip - confirmations);
    const deep = await replaceSince(chain.testClient, snapshot, {
      replacementBlocks: orphanedTip - Number(snapshot.blockNumber) + 2,
      txs: () => swapOn(existing[1]! as Address),
    });
    expect(deep.orphaned.length).toBeGreaterThan(confirmations);
    await waitFor(
      async () => {
        const checkpoint = await readCheckpoint({
          kafka,
          topic: topics.checkpoints,
          chainId: chain.chainId,
          groupId: randomId('cp'),
        });
        return checkpoint && checkpoint.blockNumber >= Number(deep.forkBlockNumber) + 3
          ? checkpoint
          : undefined;
      },
      { description: 'the ingestor past the deep reorg', timeoutMs: 90_000, intervalMs: 500 },
    );
    await kill();
    // Only swaps from here on, so the deep reorg's children stay orphaned for good.
    for (const pair of existing.slice(0, 3)) await swapOn(pair as Address);
    await mine(chain.testClient, confirmations);
    const finalHead = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, finalHead - confirmations);

    const children = await readFactoryChildren({ publicClient: chain.publicClient, factory });
    expect(children.length).toBeGreaterThan(10);
    for (const pair of lost) expect(children).not.toContain(pair);

    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    const expected = await canonicalLogIds(
      chain.publicClient,
      chain.chainId,
      [factory.address, ...(children as Address[])],
      BigInt(finalHead - confirmations),
    );
    expect(ids).toEqual(expected);
    // The deep reorg's child was confirmed, then retracted: nothing of it survives.
    const live = new Set(ids);
    const ofLost = records.filter(({ event }) => lost.includes(event.address));
    expect(ofLost.some(({ event }) => event.status === 'REMOVED')).toBe(true);
    expect(ofLost.filter(({ event }) => live.has(event.id))).toEqual([]);
    expect(
      records
        .filter(({ event }) => event.address !== factory.address.toLowerCase())
        .every(({ event }) => event.template === 'Pair'),
    ).toBe(true);

    // GraphQL lists the chain's children, once the processor has applied everything.
    const sorted = [...children].sort();
    await waitFor(
      async () => JSON.stringify((await childrenOverGraphql(graphqlUrl)).sort()) === JSON.stringify(sorted),
      {
        description: "GraphQL's children list equal to the chain's",
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    // Each child's projected state equals its views (the deep reorg's swaps on a child reversed).
    const entityQuery = (child: string, i: number) =>
      `c${i}: Pair_Reserves(chainId: ${chain.chainId}, address: "${child}", logAddress: "${child}") { reserve0 reserve1 swaps }`;
    const viewsOf = async (child: string) => {
      const read = (functionName: 'reserve0' | 'reserve1' | 'swapCount') =>
        chain.publicClient.readContract({ address: child as Address, abi: pairAbi, functionName });
      const [reserve0, reserve1, swaps] = await Promise.all([
        read('reserve0'),
        read('reserve1'),
        read('swapCount'),
      ]);
      return swaps === 0n
        ? null
        : { reserve0: String(reserve0), reserve1: String(reserve1), swaps: String(swaps) };
    };
    const expectedState = Object.fromEntries(
      await Promise.all(children.map(async (child, i) => [`c${i}`, await viewsOf(child)] as const)),
    );
    let projected: unknown;
    await waitFor(
      async () => {
        // Ten aliases per request: the gateway limits them.
        const pages: Record<string, unknown>[] = [];
        for (let start = 0; start < children.length; start += 10) {
          const query = children
            .slice(start, start + 10)
            .map((child, i) => entityQuery(child, start + i))
            .join('\n');
          const response = await fetch(graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ ${query} }` }),
          });
          const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
          if (!body.data) throw new Error(`Reserves query failed: ${JSON.stringify(body.errors)}`);
          pages.push(body.data);
        }
        projected = Object.assign({}, ...pages);
        return JSON.stringify(projected) === JSON.stringify(expectedState);
      },
      { description: "each child's projection equal to its views", timeoutMs: 60_000, intervalMs: 500 },
    ).catch(() => undefined);
    expect(projected).toEqual(expectedState);
    console.log(
      `[factory e2e] ${children.length} children, ${ids.length} events, ${orphanedCreations.length} creations orphaned by shallow reorgs, ${lost.length} by the deep one; checksummed first child ${getAddress(children[0]!)}`,
    );
  });
});
