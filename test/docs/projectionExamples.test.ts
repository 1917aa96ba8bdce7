/**
 * Every ```graphql block of docs/projections.md runs against a real pipeline (Hardhat → ingest → Kafka →
 * process → Redis → gateway) following the example config's Market contract, after the trades the page
 * describes: queries over HTTP return no errors and, where a ```json result block follows, exactly that
 * response; subscriptions over graphql-ws deliver an update without errors. The page's schema excerpt
 * matches the printed schema.
 */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  type FieldDefinitionNode,
  type GraphQLField,
  isObjectType,
  type ObjectTypeDefinitionNode,
  parse,
  print,
} from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { getAddress, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { mine, startTestChain, type TestChain } from '../support/chain.ts';
import { exampleOperations } from './support/exampleOperations.ts';
import { extractFences } from './support/extractGraphqlBlocks.ts';
import {
  type ContractEntry,
  exampleMarket,
  type MarketPipeline,
  marketAbi,
  startMarketPipeline,
} from './support/marketPipeline.ts';

const page = readFileSync(new URL('../../docs/projections.md', import.meta.url), 'utf8');
const examples = exampleOperations(['docs/projections.md']);

type Result = { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };

/** `name(arg: Type = default, …): Type`, arguments by name (their order means nothing to GraphQL). */
function signature(name: string, args: string[], type: string): string {
  return `${name}${args.length ? `(${args.sort().join(', ')})` : ''}: ${type}`;
}

/** The signature of a field of the printed schema. */
function signatureOf(field: GraphQLField<unknown, unknown>): string {
  const args = field.args.map((arg) => {
    const fallback = arg.astNode?.defaultValue ? ` = ${print(arg.astNode.defaultValue)}` : '';
    return `${arg.name}: ${String(arg.type)}${fallback}`;
  });
  return signature(field.name, args, String(field.type));
}

/** The signature of a field of the excerpt. */
function signatureOfNode(field: FieldDefinitionNode): string {
  const args = (field.arguments ?? []).map((arg) => {
    const fallback = arg.defaultValue ? ` = ${print(arg.defaultValue)}` : '';
    return `${arg.name.value}: ${print(arg.type)}${fallback}`;
  });
  return signature(field.name.value, args, print(field.type));
}

describe('docs/projections.md examples', () => {
  let chain: TestChain;
  let pipeline: MarketPipeline;
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

  // Waits for a market transaction; resolves with its block.
  const mined = async (hash: Hex): Promise<bigint> => {
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`market transaction ${hash} reverted`);
    return receipt.blockNumber;
  };
  // The market's functions, called by Hardhat account `account`.
  const market = {
    list: (account: number, price: bigint) =>
      chain.walletClients[account]!.writeContract({
        address: pipeline.address,
        abi: marketAbi,
        functionName: 'list',
        args: [price],
      }).then(mined),
    changePrice: (account: number, listingId: bigint, price: bigint) =>
      chain.walletClients[account]!.writeContract({
        address: pipeline.address,
        abi: marketAbi,
        functionName: 'changePrice',
        args: [listingId, price],
      }).then(mined),
    buy: (account: number, listingId: bigint) =>
      chain.walletClients[account]!.writeContract({
        address: pipeline.address,
        abi: marketAbi,
        functionName: 'buy',
        args: [listingId],
      }).then(mined),
    cancel: (account: number, listingId: bigint) =>
      chain.walletClients[account]!.writeContract({
        address: pipeline.address,
        abi: marketAbi,
        functionName: 'cancel',
        args: [listingId],
      }).then(mined),
  };

  // A change of listing 1 that leaves its state as the page shows it: its price set to 120 again.
  const stimulate = () => market.changePrice(1, 1n, 120n);

  beforeAll(async () => {
    chain = await startTestChain();
    pipeline = await startMarketPipeline(chain, 1);
    httpUrl = pipeline.graphqlUrl;
    ws = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
    });
    // The trades of the page: #1 lists two items, #2 lists one and buys #1's second, #3 lists one and
    // cancels it, #1 lowers the price of its first.
    await market.list(1, 100n);
    await market.list(1, 250n);
    await market.list(2, 75n);
    await market.buy(2, 2n);
    await market.list(3, 500n);
    await market.cancel(3, 4n);
    const last = await market.changePrice(1, 1n, 120n);
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

  it('shows the Market entry of examples/blockwire.yaml in the YAML of the page and of the README', () => {
    const example = exampleMarket();
    for (const file of ['docs/projections.md', 'README.md']) {
      const markdown = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      const entries = extractFences(markdown)
        .filter((fence) => fence.language === 'yaml' && fence.body.includes('projections:'))
        .flatMap((fence) => (parseYaml(fence.body) as { contracts: ContractEntry[] }).contracts);
      expect(entries.length, file).toBeGreaterThan(0);
      for (const entry of entries)
        expect({ ...entry, address: getAddress(entry.address) }, file).toEqual(example);
    }
  });

  it('shows a schema excerpt that matches schema/schema.graphql', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    const excerpts = extractFences(page).filter(
      (fence) => fence.language === 'graphql' && fence.attributes.includes('schema'),
    );
    expect(excerpts.length).toBeGreaterThan(0);
    const mismatches: string[] = [];
    for (const excerpt of excerpts) {
      const types = parse(excerpt.body).definitions.filter(
        (definition): definition is ObjectTypeDefinitionNode => definition.kind === 'ObjectTypeDefinition',
      );
      for (const type of types) {
        const actual = schema.getType(type.name.value);
        if (!isObjectType(actual)) {
          mismatches.push(`type ${type.name.value} is not in the schema`);
          continue;
        }
        for (const field of type.fields ?? []) {
          const real = actual.getFields()[field.name.value];
          const shown = signatureOfNode(field);
          if (!real) mismatches.push(`${type.name.value}.${shown}: no such field`);
          else if (signatureOf(real) !== shown)
            mismatches.push(`${type.name.value}.${shown}: the schema has ${signatureOf(real)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  const queries = examples.filter((example) => example.operation.operation !== 'subscription');
  const subscriptions = examples.filter((example) => example.operation.operation === 'subscription');

  it.each(queries)('$name', async (example) => {
    const result = await post(example.source, example.variables);
    if (example.expectError) {
      expect(result.errors?.map((error) => error.extensions?.code)).toContain(example.expectError);
      return;
    }
    expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
    expect(result.data).toBeTruthy();
    if (example.result !== undefined) expect(result).toEqual(example.result);
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
        // Keep changing listing 1 until the subscription answers; a replaying one answers at once.
        const deadline = Date.now() + 45_000;
        while (first === undefined && !done && Date.now() < deadline) {
          await stimulate();
          await mine(chain.testClient, 1);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      } finally {
        unsubscribe();
      }
      if (example.expectError) {
        const errors = (Array.isArray(failure) ? failure : (first?.errors ?? [])) as Result['errors'];
        expect(
          errors?.map((error) => error.extensions?.code),
          JSON.stringify(failure ?? first),
        ).toContain(example.expectError);
        return;
      }
      expect(failure, JSON.stringify(failure)).toBeUndefined();
      expect(first, 'no update within 45 s').toBeDefined();
      expect(first?.errors, JSON.stringify(first?.errors)).toBeUndefined();
      expect(first?.data).toBeTruthy();
    },
    60_000,
  );
});
