/**
 * Every ```graphql block of docs/graphql.md and README.md runs against a real pipeline (Hardhat → ingest → Kafka →
 * process → Redis → gateway): queries over HTTP return no errors, subscriptions over graphql-ws deliver
 * a payload without errors while fresh traffic flows, and blocks marked expect-error fail with that
 * code. Together with docs/projections.md (run by projectionExamples.test.ts) and docs/factories.md
 * (run by factoryExamples.test.ts) the examples cover every Query and Subscription field of the schema.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, type OperationDefinitionNode, parse } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { getAddress } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { graphiqlDefaultQuery } from '../../src/dashboard/index.ts';
import { type Pipeline, startPipeline } from '../e2e/support/pipeline.ts';
import { hardhatAccounts, runTraffic, startTestChain, type TestChain } from '../support/chain.ts';
import { exampleOperations, shownRootFields } from './support/exampleOperations.ts';

const blocks = exampleOperations(['docs/graphql.md', 'README.md']);
// Executed by projectionExamples.test.ts and factoryExamples.test.ts against pipelines with the
// example's Market contract and its PairFactory; they count here for the coverage of the schema.
const otherPageBlocks = exampleOperations(['docs/projections.md', 'docs/factories.md']);

// The docs name the addresses a fresh Hardhat chain gives the demo contracts (deployer = account #0,
// nonces 0, 1, 2); the test chain is fresh, so they must match exactly.
const documented = {
  erc20: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  erc721: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
  erc1155: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
} as const;
const account1 = hardhatAccounts()[1]!.address;

type Result = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

describe('docs/graphql.md examples', () => {
  let chain: TestChain;
  let pipeline: Pipeline;
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

  // One block of fresh activity touching account #1 on all three contracts; every new block also
  // confirms the previous one (confirmations: 1).
  const stimulate = async (): Promise<bigint> => {
    const wallet = chain.walletClients[0]!;
    const { erc20, erc721, erc1155 } = pipeline.contracts;
    let block = 0n;
    for (const hash of [
      await wallet.writeContract({ ...erc20, functionName: 'mint', args: [account1, 10n ** 15n] }),
      await wallet.writeContract({ ...erc721, functionName: 'mint', args: [account1] }),
      await wallet.writeContract({ ...erc1155, functionName: 'mint', args: [account1, 1n, 5n] }),
    ]) {
      block = (await chain.publicClient.waitForTransactionReceipt({ hash })).blockNumber;
    }
    return block;
  };

  beforeAll(async () => {
    chain = await startTestChain();
    pipeline = await startPipeline({ chain, confirmations: 1, gateway: true });
    httpUrl = pipeline.graphqlUrl!;
    ws = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    const deployed = {
      erc20: getAddress(pipeline.contracts.erc20.address),
      erc721: getAddress(pipeline.contracts.erc721.address),
      erc1155: getAddress(pipeline.contracts.erc1155.address),
    };
    expect(deployed, 'demo contract addresses on a fresh chain').toEqual(documented);
    await runTraffic({
      publicClient: chain.publicClient,
      wallets: chain.walletClients.slice(1, 5),
      contracts: pipeline.contracts,
      count: 14,
      seed: 5,
    });
    const last = await stimulate();
    await stimulate();
    // History examples need the traffic in the journals: wait until the processor has applied it.
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

  it('cover every query and subscription field of the schema (with docs/projections.md and docs/factories.md)', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    const shown = shownRootFields([...blocks, ...otherPageBlocks]);
    const fields = [
      ...Object.keys(schema.getQueryType()?.getFields() ?? {}).map((name) => `query.${name}`),
      ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {}).map((name) => `subscription.${name}`),
    ];
    expect(fields.filter((field) => !shown.has(field))).toEqual([]);
  });

  const queries = blocks.filter((block) => block.operation.operation !== 'subscription');
  const subscriptions = blocks.filter((block) => block.operation.operation === 'subscription');

  it.each(queries)('$name', async (block) => {
    const result = await post(block.source, block.variables);
    if (block.expectError) {
      expect(result.errors?.map((error) => error.extensions?.code)).toContain(block.expectError);
      console.log(`[docs] ${block.name} → ${JSON.stringify(result.errors)}`);
    } else {
      expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
      expect(result.data).toBeTruthy();
    }
  });

  it.each(subscriptions)(
    '$name',
    async (block) => {
      let first: Result | undefined;
      let failure: unknown;
      let done = false;
      const unsubscribe = ws.subscribe(
        { query: block.source, variables: block.variables },
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
        // Keep producing blocks until the subscription answers; a replaying one answers at once.
        const deadline = Date.now() + 45_000;
        while (first === undefined && !done && Date.now() < deadline) {
          // Sequential: the stimulus sends from one account, so overlapping calls would race for nonces.
          await stimulate();
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      } finally {
        unsubscribe();
      }
      if (block.expectError) {
        const errors = (Array.isArray(failure) ? failure : (first?.errors ?? [])) as Result['errors'];
        expect(
          errors?.map((error) => error.extensions?.code),
          JSON.stringify(failure ?? first),
        ).toContain(block.expectError);
        return;
      }
      expect(failure, JSON.stringify(failure)).toBeUndefined();
      expect(first, 'no payload within 45 s').toBeDefined();
      expect(first?.errors, JSON.stringify(first?.errors)).toBeUndefined();
      expect(first?.data).toBeTruthy();
    },
    60_000,
  );

  it("GraphiQL's default query runs: its query over HTTP, its subscription over graphql-ws", async () => {
    const operations = parse(graphiqlDefaultQuery).definitions as OperationDefinitionNode[];
    const query = operations.find((operation) => operation.operation === 'query')!.name!.value;
    const subscription = operations.find((operation) => operation.operation === 'subscription')!.name!.value;
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: graphiqlDefaultQuery, operationName: query }),
    });
    const result = (await response.json()) as Result;
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();

    let first: Result | undefined;
    const unsubscribe = ws.subscribe(
      { query: graphiqlDefaultQuery, operationName: subscription },
      {
        next: (value) => {
          first ??= value as Result;
        },
        error: () => {},
        complete: () => {},
      },
    );
    try {
      const deadline = Date.now() + 45_000;
      while (first === undefined && Date.now() < deadline) await stimulate();
    } finally {
      unsubscribe();
    }
    expect(first?.errors).toBeUndefined();
    expect((first?.data as { events?: { status: string } })?.events?.status).toMatch(/^(PENDING|CONFIRMED)$/);
  }, 60_000);
});
