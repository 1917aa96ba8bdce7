/**
 * Every ```graphql block of docs/factories.md runs against a real pipeline (Hardhat → ingest → Kafka →
 * process → Redis → gateway) following the example config's PairFactory and its Pair children, after
 * the transactions the page describes: queries over HTTP return no errors and, where a ```json result
 * block follows, exactly that response; subscriptions over graphql-ws deliver an update without
 * errors; blocks marked expect-error fail with that code and, where a ```json error block follows,
 * that error. The page's YAML is the example config's.
 */
import { readFileSync } from 'node:fs';
import { type Client, createClient } from 'graphql-ws';
import { type Address, getAddress, getContractAddress, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { pairAbi, pairFactoryAbi } from '../../src/dev-stack/index.ts';
import { hardhatAccounts, mine, startTestChain, type TestChain } from '../support/chain.ts';
import { exampleOperations } from './support/exampleOperations.ts';
import { extractFences } from './support/extractGraphqlBlocks.ts';
import {
  exampleFactory,
  type FactoryEntry,
  type FactoryPipeline,
  startFactoryPipeline,
} from './support/factoryPipeline.ts';

const page = readFileSync(new URL('../../docs/factories.md', import.meta.url), 'utf8');
const examples = exampleOperations(['docs/factories.md']);

type Result = {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown> }[];
};

describe('docs/factories.md examples', () => {
  let chain: TestChain;
  let pipeline: FactoryPipeline;
  let httpUrl: string;
  let ws: Client;

  const post = async (query: string, variables?: Record<string, unknown>): Promise<Result> => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Result;
  };

  // Waits for a transaction; resolves with its block.
  const mined = async (hash: Hex): Promise<bigint> => {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
    return receipt.blockNumber;
  };
  // The factory's and the pairs' functions, called by Hardhat account `account`.
  const createPair = (account: number) =>
    chain.walletClients[account]!.writeContract({
      address: pipeline.factory,
      abi: pairFactoryAbi,
      functionName: 'createPair',
      args: [hardhatAccounts()[account]!.address],
    }).then(mined);
  const swap = (account: number, pair: Address, amount0: bigint, amount1: bigint) =>
    chain.walletClients[account]!.writeContract({
      address: pair,
      abi: pairAbi,
      functionName: 'swap',
      args: [amount0, amount1],
    }).then(mined);

  // A factory's CREATE children: its nonces start at 1 (EIP-161).
  const pairs = () =>
    [1n, 2n].map((nonce) => getContractAddress({ from: pipeline.factory, nonce })) as [Address, Address];
  // A swap on the first pair by account #4, whom the page's figures leave out.
  const stimulate = () => swap(4, pairs()[0], 1n, 1n);

  beforeAll(async () => {
    chain = await startTestChain();
    pipeline = await startFactoryPipeline(chain, 1);
    httpUrl = pipeline.graphqlUrl;
    ws = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    // The transactions of the page: #1 and #2 create a pair each; on the first #1 swaps 100, #2 250
    // and #1 50; on the second #3 swaps 75.
    const [first, second] = pairs();
    await createPair(1);
    await createPair(2);
    await swap(1, first, 100n, 200n);
    await swap(2, first, 250n, 40n);
    await swap(1, first, 50n, 10n);
    const last = await swap(3, second, 75n, 75n);
    await mine(chain.testClient, 1);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const result = (await post('{ chain(chainId: 31337) { processedBlock } }')) as {
        data?: { chain: { processedBlock: string | null } | null };
      };
      const processed = result.data?.chain?.processedBlock;
      if (processed && BigInt(processed) >= last) break;
      if (Date.now() > deadline)
        throw new Error(`processedBlock ${processed} did not reach ${last} within 90 s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 180_000);

  afterAll(async () => {
    await ws?.dispose();
    await pipeline?.stop();
    await chain?.stop();
  }, 60_000);

  it('shows the PairFactory and Pair entries of examples/blockwire.yaml in the YAML of the page', () => {
    const { factory, template } = exampleFactory();
    const entries = extractFences(page)
      .filter((fence) => fence.language === 'yaml' && fence.body.includes('factory:'))
      .flatMap((fence) => (parseYaml(fence.body) as { contracts: FactoryEntry[] }).contracts);
    expect(
      entries.map((entry) => (entry.address ? { ...entry, address: getAddress(entry.address) } : entry)),
    ).toEqual([factory, template]);
  });

  const queries = examples.filter((example) => example.operation.operation !== 'subscription');
  const subscriptions = examples.filter((example) => example.operation.operation === 'subscription');

  it.each(queries)('$name', async (example) => {
    const result = await post(example.source, example.variables);
    if (example.expectError) {
      expect(result.errors?.map((error) => error.extensions?.code)).toContain(example.expectError);
      if (example.error !== undefined) expect(result.errors?.[0]).toMatchObject(example.error);
      return;
    }
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.data).toBeTruthy();
    if (example.result !== undefined) expect(result, JSON.stringify(result)).toEqual(example.result);
  });

  it.each(subscriptions)(
    '$name',
    async (example) => {
      let first: Result | undefined;
      let failure: unknown;
      let done = false;
      const unsubscribe = ws.subscribe(
        { query: example.source, variables: example.variables },
        {
          next: (value) => {
            first ??= value as Result;
          },
          error: (error) => {
            failure = error;
            done = true;
          },
          complete: () => {
            done = true;
          },
        },
      );
      try {
        // Keep swapping on the first pair until the subscription answers; a replaying one answers at once.
        const deadline = Date.now() + 45_000;
        while (first === undefined && !done && Date.now() < deadline) {
          await stimulate();
          await mine(chain.testClient, 1);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      } finally {
        unsubscribe();
      }
      expect(failure, JSON.stringify(failure)).toBeUndefined();
      expect(first, 'no update within 45 s').toBeDefined();
      expect(first?.errors, JSON.stringify(first?.errors)).toBeUndefined();
      expect(first?.data).toBeTruthy();
    },
    60_000,
  );
});
