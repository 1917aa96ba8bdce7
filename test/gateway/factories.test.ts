/**
 * Contracts created by a factory over GraphQL: a factory (PairFactory) and two templates on its
 * PairCreated event (Pair: the pair, custom ABI with a projection per pair; Token0: the pair's token0,
 * erc20). State is written by
 * the processor's real apply script (support/testProcessor.ts), children's events carrying their
 * template as ingest sends them.
 */
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { getAddress } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { postGraphql, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

const chainId = 31337;
const factory = '0xfa00000000000000000000000000000000000001';
const token0 = '0x7000000000000000000000000000000000000001';
const pairA = '0xa100000000000000000000000000000000000001';
const pairB = '0xb200000000000000000000000000000000000002';
const trader = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));

/**
 * The example config with PairFactory at a fixed address of this test and its two templates on chain
 * 31337 (in place of the example's own PairFactory and Pair).
 */
function withFactory(base: ResolvedConfig): ResolvedConfig {
  const parsed = parseConfig({
    raw: {
      chains: [
        {
          chainId,
          rpc: { http: 'http://127.0.0.1:8545' },
          contracts: [
            { name: 'PairFactory', address: factory, abi: './abis/PairFactory.json' },
            {
              name: 'Pair',
              abi: './abis/Pair.json',
              factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
              projections: [
                { name: 'Trader', key: 'args.sender', on: { Swap: { add: { volume0: 'args.amount0' } } } },
              ],
            },
            {
              name: 'Token0',
              abi: 'erc20',
              factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.token0' },
            },
          ],
        },
      ],
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379' },
    },
    baseDir: examples,
  });
  const added = parsed.chains[0]!;
  return {
    ...base,
    chains: base.chains.map((chain) =>
      chain.chainId === chainId
        ? {
            ...chain,
            contracts: [
              ...chain.contracts.filter(
                (contract) => !added.contracts.some((own) => own.name === contract.name),
              ),
              ...added.contracts,
            ],
            templates: added.templates,
          }
        : chain,
    ),
  };
}

type GraphqlError = { message: string; extensions: Record<string, unknown> };
type EventShape = {
  __typename: string;
  address: string;
  contractName: string | null;
  cursor: string | null;
  resumeToken?: string | null;
  args?: Record<string, string>;
};

const eventFields = `
  __typename id address contractName cursor
  ... on Pair_Swap { args { sender amount0 amount1 } }
  ... on Pair_Sync { args { reserve0 reserve1 } }
`;
const historyQuery = `query ($filter: EventFilter) { events(filter: $filter) { nodes { ${eventFields} } } }`;
const childrenQuery = `query { PairFactory_PairChildrenList(chainId: ${chainId}) { items { pair createdAtBlock createdInTx } } }`;
const eventsSubscription = parse(
  `subscription ($filter: EventFilter, $after: StreamPosition) { events(filter: $filter, after: $after) { ${eventFields} resumeToken } }`,
);

let t: TestGateway;
let created: TestEmitted[] = [];

const createPair = (pair: string, index: number, status?: 'REMOVED', at?: TestEmitted) =>
  t.fake.emit({
    address: factory,
    eventName: 'PairCreated',
    signature: 'PairCreated(address,address,uint256)',
    args: { token0, pair, index: String(index) },
    status,
    blockNumber: at?.event.blockNumber,
    logIndex: at?.event.logIndex,
  });

const swap = (pair: string, amount0: string, amount1: string) =>
  t.fake.emit({
    address: pair,
    eventName: 'Swap',
    signature: 'Swap(address,uint256,uint256)',
    args: { sender: trader, amount0, amount1 },
    template: 'Pair',
  });

async function history(contracts: string[]): Promise<{ nodes?: EventShape[]; error?: GraphqlError }> {
  const { body } = await postGraphql<{ events: { nodes: EventShape[] } }, unknown>(t.url, historyQuery, {
    filter: { chainId, contracts },
  });
  return { nodes: body.data?.events.nodes, error: body.errors?.[0] as GraphqlError | undefined };
}

async function children(): Promise<string[]> {
  const { body } = await postGraphql<
    { PairFactory_PairChildrenList: { items: Array<{ pair: string }> } },
    unknown
  >(t.url, childrenQuery);
  expect(body.errors).toBeUndefined();
  return body.data!.PairFactory_PairChildrenList.items.map((item) => item.pair);
}

beforeAll(async () => {
  t = await startTestGateway({ configure: withFactory });
  t.fake.nextBlock();
  created = [await createPair(pairA, 0), await createPair(pairB, 1)];
  t.fake.nextBlock();
  await swap(pairA, '5', '7');
  await swap(pairB, '100000000000000000000000000000', '1');
  await t.fake.emit({
    address: pairA,
    eventName: 'Sync',
    signature: 'Sync(uint256,uint256)',
    args: { reserve0: '5', reserve1: '7' },
    template: 'Pair',
  });
});

afterEach(async () => {
  await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'subscriptions released');
});

afterAll(async () => {
  await t?.stop();
});

describe('factory children over GraphQL', () => {
  it("lists a factory's children with the block and transaction that created them", async () => {
    const { body } = await postGraphql<
      { PairFactory_PairChildrenList: { items: Array<Record<string, string>> } },
      unknown
    >(t.url, childrenQuery);
    expect(body.errors).toBeUndefined();
    expect(body.data!.PairFactory_PairChildrenList.items).toEqual([
      {
        pair: getAddress(pairA),
        createdAtBlock: String(created[0]!.event.blockNumber),
        createdInTx: created[0]!.event.transactionHash,
      },
      {
        pair: getAddress(pairB),
        createdAtBlock: String(created[1]!.event.blockNumber),
        createdInTx: created[1]!.event.transactionHash,
      },
    ]);
  });

  it("reads a child's history by its address, typed by its template", async () => {
    const { nodes, error } = await history([getAddress(pairA)]);
    expect(error).toBeUndefined();
    expect(nodes).toEqual([
      expect.objectContaining({
        __typename: 'Pair_Swap',
        address: getAddress(pairA),
        contractName: 'Pair',
        args: { sender: getAddress(trader), amount0: '5', amount1: '7' },
      }),
      expect.objectContaining({
        __typename: 'Pair_Sync',
        contractName: 'Pair',
        args: { reserve0: '5', reserve1: '7' },
      }),
    ]);
  });

  it('reads the history of every child when the filter names the template', async () => {
    const { nodes, error } = await history(['Pair']);
    expect(error).toBeUndefined();
    expect(nodes?.map((node) => [node.__typename, node.address, node.args?.amount0 ?? null])).toEqual([
      ['Pair_Swap', getAddress(pairA), '5'],
      ['Pair_Swap', getAddress(pairB), '100000000000000000000000000000'],
      ['Pair_Sync', getAddress(pairA), null],
    ]);
  });

  it('accepts a child as a token of its template kind', async () => {
    const { body } = await postGraphql<{ erc20Token: { name: string; address: string } }, unknown>(
      t.url,
      `query { erc20Token(chainId: ${chainId}, address: "${token0}") { name address } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.erc20Token).toEqual({ name: 'Token0', address: getAddress(token0) });
  });

  it("reads a template's projection per child, and refuses an address that is no child", async () => {
    const query = `query ($address: Address!) {
      Pair_Trader(chainId: ${chainId}, address: $address, sender: "${trader}") { sender volume0 }
      Pair_TraderList(chainId: ${chainId}, address: $address) { items { volume0 } }
    }`;
    const read = async (address: string) =>
      (await postGraphql<Record<string, unknown>, unknown>(t.url, query, { address })).body;
    expect((await read(pairA)).data).toEqual({
      Pair_Trader: { sender: getAddress(trader), volume0: '5' },
      Pair_TraderList: { items: [{ volume0: '5' }] },
    });
    expect((await read(pairB)).data?.Pair_Trader).toEqual({
      sender: getAddress(trader),
      volume0: '100000000000000000000000000000',
    });
    const [error] = ((await read(factory)).errors ?? []) as unknown as GraphqlError[];
    expect(error?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'address' });
    expect(error?.message).toBe(
      `Argument address must be a contract the factory of template Pair created on chain ${chainId}. Got ${factory}.`,
    );
  });

  it('refuses an unknown address, an unknown name and a malformed one, naming the entry', async () => {
    const unknown = '0x0000000000000000000000000000000000000bad';
    const cases: Array<[string, RegExp]> = [
      [
        unknown,
        /^Argument filter\.contracts\[0\] must be a configured contract, a contract created by a factory, or the name of a contract or factory template of chain 31337\. Got 0x0+bad\.$/,
      ],
      ['Pears', /^Argument filter\.contracts\[0\] must be a configured contract.* Got Pears\.$/],
      ['0x12', /^Argument filter\.contracts\[0\] must be a 20-byte hex address .* Got "0x12"\.$/],
    ];
    for (const [value, message] of cases) {
      const { error } = await history([value]);
      expect(error?.extensions.code).toBe('BAD_USER_INPUT');
      expect(error?.message).toMatch(message);
    }
    const client = wsClient(t.wsUrl);
    try {
      const sub = subscribeWs(client, eventsSubscription, { filter: { contracts: [unknown] } });
      await sub.ended;
      const [error] = (sub.results[0]?.errors ?? []) as unknown as GraphqlError[];
      expect(error?.extensions.code).toBe('BAD_USER_INPUT');
      expect(error?.message).toMatch(cases[0]![1]);
    } finally {
      await client.dispose();
    }
  });

  it("delivers a child's live events to a subscription on its template, typed by it", async () => {
    const client = wsClient(t.wsUrl);
    try {
      const sub = subscribeWs<{ events: EventShape }>(client, eventsSubscription, {
        filter: { contracts: ['Pair'] },
      });
      await waitUntil(() => t.gateway.stats().listeners === 1, 20_000, 'the subscription listening');
      t.fake.nextBlock();
      await swap(pairB, '3', '4');
      const [first] = await sub.waitFor(1);
      expect(first!.events).toMatchObject({
        __typename: 'Pair_Swap',
        address: getAddress(pairB),
        contractName: 'Pair',
        args: { sender: getAddress(trader), amount0: '3', amount1: '4' },
      });
      sub.stop();
    } finally {
      await client.dispose();
    }
  });

  it("streams a child's entity changes of a template's projection", async () => {
    const client = wsClient(t.wsUrl);
    try {
      const sub = subscribeWs<{ Pair_TraderUpdated: { entity: { volume0: string } | null } }>(
        client,
        parse(
          `subscription { Pair_TraderUpdated(chainId: ${chainId}, address: "${pairA}") { entity { volume0 } } }`,
        ),
        {},
      );
      await waitUntil(() => t.gateway.stats().listeners === 1, 20_000, 'the subscription listening');
      t.fake.nextBlock();
      await swap(pairB, '1000', '0');
      await swap(pairA, '10', '0');
      const [update] = await sub.waitFor(1);
      expect(update!.Pair_TraderUpdated.entity).toEqual({ volume0: '15' });
      sub.stop();
    } finally {
      await client.dispose();
    }
  });

  it('resumes a template subscription with the events of children created since, from their start', async () => {
    const client = wsClient(t.wsUrl);
    try {
      const first = subscribeWs<{ events: EventShape }>(client, eventsSubscription, {
        filter: { contracts: ['Pair'] },
      });
      await waitUntil(() => t.gateway.stats().listeners === 1, 20_000, 'the subscription listening');
      t.fake.nextBlock();
      await swap(pairA, '1', '1');
      const [seen] = await first.waitFor(1);
      first.stop();
      // A pair created while the client was away: its events must not be lost on resume.
      const pairC = '0xc300000000000000000000000000000000000003';
      t.fake.nextBlock();
      await createPair(pairC, 2);
      await swap(pairC, '9', '9');
      const resumed = subscribeWs<{ events: EventShape }>(client, eventsSubscription, {
        filter: { contracts: ['Pair'] },
        after: seen!.events.resumeToken,
      });
      const [next] = await resumed.waitFor(1);
      expect(next!.events).toMatchObject({
        __typename: 'Pair_Swap',
        address: getAddress(pairC),
        args: { amount0: '9' },
      });
      resumed.stop();
    } finally {
      await client.dispose();
    }
  });

  it('forgets a child whose creation a reorg removed', async () => {
    const pairD = '0xd400000000000000000000000000000000000004';
    t.fake.nextBlock();
    const creation = await createPair(pairD, 3);
    expect(await children()).toContain(getAddress(pairD));
    expect((await history([pairD])).error).toBeUndefined();
    await createPair(pairD, 3, 'REMOVED', creation);
    expect(await children()).not.toContain(getAddress(pairD));
    expect((await history([pairD])).error?.extensions.code).toBe('BAD_USER_INPUT');
  });
});
