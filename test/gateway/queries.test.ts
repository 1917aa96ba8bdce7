import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainStatusKey } from '../../src/domain/index.ts';
import {
  ChainsDocument,
  Erc20Document,
  Erc1155BalanceDocument,
  EventHistoryDocument,
  NftDocument,
} from './generated/graphql.ts';
import { postGraphql, waitUntil } from './support/clients.ts';
import { monitorRedis } from './support/redisMonitor.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';
import type { TestEmitted } from './support/testProcessor.ts';

const alice = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8';
const bob = '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc';
const chainId = 31337;

let t: TestGateway;
const history: TestEmitted[] = [];

const zero = '0x0000000000000000000000000000000000000000';

// Every piece of state below is written by the processor's real apply script (test processor).
beforeAll(async () => {
  t = await startTestGateway();
  const { fake } = t;
  await fake.head(120, 125);
  fake.nextBlock();
  const transfer = async (address: string, args: Record<string, string>) =>
    history.push(await fake.emit({ address, eventName: 'Transfer', args }));
  await transfer(demo.token, { from: zero, to: alice, value: '999999999999999999999' });
  await transfer(demo.token, { from: zero, to: bob, value: '1' });
  for (const tokenId of ['1', '2', '10']) await transfer(demo.nft, { from: zero, to: alice, tokenId });
  await transfer(demo.nft, { from: zero, to: bob, tokenId: '3' });
  fake.nextBlock();
  await transfer(demo.token, { from: alice, to: bob, value: '4' });
  await transfer(demo.token, { from: bob, to: alice, value: '4' });
  await fake.emit({
    address: demo.items,
    eventName: 'TransferSingle',
    args: { operator: alice, from: zero, to: alice, id: '7', value: '15' },
  });
});

afterAll(async () => {
  await t?.stop();
});

describe('state queries', () => {
  it('reports chains with head, confirmed, processed block, lag and per-contract progress', async () => {
    const { body } = await postGraphql(t.url, ChainsDocument);
    expect(body.errors).toBeUndefined();
    const [chain] = body.data!.chains;
    expect(chain).toMatchObject({ chainId, head: '125', confirmed: '120', processedBlock: '120', lag: '5' });
    const token = chain!.contracts.find((contract) => contract.name === 'DemoToken')!;
    expect(token).toMatchObject({
      kind: 'ERC20',
      appliedEvents: '4',
      processedCursor: history.filter((h) => h.event.address === demo.token).at(-1)!.cursor,
    });
    expect(token.eventCounts).toEqual([{ eventName: 'Transfer', count: '4' }]);
  });

  it('reads the chain status once per chain, whatever fields the query selects', async () => {
    const statusKey = chainStatusKey(t.config.redis.keyPrefix, chainId);
    const marker = `${statusKey}:marker`;
    const commands: string[] = [];
    let sawMarker = false;
    const monitor = await monitorRedis(t.config.redis.url, (args) => {
      if (args[1] === statusKey) commands.push(args[0]!.toLowerCase());
      if (args[1] === marker) sawMarker = true;
    });
    const { body } = await postGraphql(
      t.url,
      'query { chains { head confirmed confirmedHash processedBlock lag updatedAt } }',
    );
    expect(body.errors).toBeUndefined();
    // A marker after the query: once MONITOR shows it, every command of the query was seen.
    await t.redis.exists(marker);
    await waitUntil(async () => sawMarker, 10_000, 'the marker in MONITOR');
    monitor.close();
    expect(commands).toEqual(['hgetall']);
  });

  it('reads ERC-20 token info, one balance, and every token balance of a holder', async () => {
    const { body } = await postGraphql(t.url, Erc20Document, { chainId, token: demo.token, holder: alice });
    expect(body.errors).toBeUndefined();
    expect(body.data!.erc20Token).toEqual({
      name: 'DemoToken',
      address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      totalSupply: '1000000000000000000000',
      holderCount: '2',
      transferCount: '4',
      balanceOf: '999999999999999999999',
    });
    expect(body.data!.erc20Balances).toEqual([
      { token: { name: 'DemoToken' }, balance: '999999999999999999999' },
    ]);
  });

  it('reads ERC-721 owners and pages through the tokens of an owner', async () => {
    const first = await postGraphql(t.url, NftDocument, {
      chainId,
      contract: demo.nft,
      owner: alice,
      tokenId: '3',
      first: 2,
    });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.nftOwner).toBe('0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC');
    expect(first.body.data!.nftBalance).toBe('3');
    expect(first.body.data!.nftTokens).toEqual({ tokenIds: ['1', '10'], endCursor: '10', hasNextPage: true });
    const second = await postGraphql(t.url, NftDocument, {
      chainId,
      contract: demo.nft,
      owner: alice,
      tokenId: '99',
      first: 2,
      after: first.body.data!.nftTokens.endCursor,
    });
    expect(second.body.data!.nftOwner).toBeNull();
    expect(second.body.data!.nftTokens).toEqual({ tokenIds: ['2'], endCursor: '2', hasNextPage: false });
  });

  it('reads ERC-1155 balances (zero when absent)', async () => {
    const held = await postGraphql(t.url, Erc1155BalanceDocument, {
      chainId,
      contract: demo.items,
      id: '7',
      holder: alice,
    });
    expect(held.body.data!.erc1155Balance).toBe('15');
    const none = await postGraphql(t.url, Erc1155BalanceDocument, {
      chainId,
      contract: demo.items,
      id: '8',
      holder: alice,
    });
    expect(none.body.data!.erc1155Balance).toBe('0');
  });

  it('rejects a contract of the wrong kind with an error naming the argument', async () => {
    const { body } = await postGraphql(t.url, Erc1155BalanceDocument, {
      chainId,
      contract: demo.token,
      id: '7',
      holder: alice,
    });
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toMatch(
      /^Argument contract must be a configured erc1155 contract on chain 31337/,
    );
  });
});

describe('event history', () => {
  it('pages through several journals in chain order without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 10; page++) {
      const { body } = await postGraphql(t.url, EventHistoryDocument, {
        filter: { contracts: [demo.token, demo.nft] },
        first: 4,
        after,
      });
      expect(body.errors).toBeUndefined();
      const result = body.data!.events;
      seen.push(...result.nodes.map((node) => node.id));
      after = result.endPosition;
      if (!result.hasNextPage) break;
    }
    expect(seen).toEqual(history.map((item) => item.event.id));
  });

  it('filters by event args and reads newest first with DESC', async () => {
    const { body } = await postGraphql(t.url, EventHistoryDocument, {
      filter: {
        contracts: [demo.token],
        args: [{ name: 'from', value: alice.toUpperCase().replace('0X', '0x') }],
      },
      order: 'DESC',
    });
    const expected = history
      .filter((item) => item.event.address === demo.token && item.event.args.from === alice)
      .map((item) => item.event.id)
      .reverse();
    expect(body.data!.events.nodes.map((node) => node.id)).toEqual(expected);
  });

  it('rejects an invalid cursor, naming the argument and the expected form', async () => {
    const { body } = await postGraphql(t.url, 'query { events(after: "yesterday") { hasNextPage } }');
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.message).toContain('Argument events(after)');
    expect(body.errors?.[0]?.message).toContain('StreamPosition must be a Cursor');
  });
});
