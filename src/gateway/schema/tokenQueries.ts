import { contractKeys, ownerTokensKey } from '../../domain/index.ts';
import type { GatewayContext } from '../context.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import { requireContract } from './chainQueries.ts';
import type { ContractSpec } from './describeContracts.ts';

type Balance = { token: ContractSpec; holder: string; balance: string };

/** One field of a contract's `token` hash (written by the processor), 0 when absent. */
async function tokenInfo(
  ctx: GatewayContext,
  contract: ContractSpec,
  field: 'totalSupply' | 'holders' | 'transfers',
): Promise<string> {
  const key = contractKeys(ctx.services.keyPrefix, contract.chainId, contract.address).token;
  return (await ctx.services.redis.hget(key, field)) ?? '0';
}

/** Adds ERC-20, ERC-721 and ERC-1155 state queries. */
export function addTokenQueries(builder: Builder) {
  const erc20Token = builder.objectRef<ContractSpec>('Erc20Token').implement({
    description: 'An ERC-20 token as projected from its Transfer events.',
    fields: (t) => ({
      chainId: t.exposeInt('chainId'),
      address: t.field({ type: 'Address', resolve: (c) => c.address }),
      name: t.exposeString('name', { description: 'Name in the gateway configuration.' }),
      totalSupply: t.field({
        type: 'BigInt',
        description: 'Minted minus burned.',
        resolve: (c, _args, ctx) => tokenInfo(ctx, c, 'totalSupply'),
      }),
      holderCount: t.field({
        type: 'BigInt',
        resolve: (c, _args, ctx) => tokenInfo(ctx, c, 'holders'),
      }),
      transferCount: t.field({
        type: 'BigInt',
        resolve: (c, _args, ctx) => tokenInfo(ctx, c, 'transfers'),
      }),
      balanceOf: t.field({
        type: 'BigInt',
        args: { holder: t.arg({ type: 'Address', required: true }) },
        resolve: async (c, { holder }, ctx) =>
          (await ctx.services.redis.hget(
            contractKeys(ctx.services.keyPrefix, c.chainId, c.address).balances,
            holder,
          )) ?? '0',
      }),
    }),
  });

  const erc20Balance = builder.objectRef<Balance>('Erc20Balance').implement({
    fields: (t) => ({
      token: t.field({ type: erc20Token, resolve: (b) => b.token }),
      holder: t.field({ type: 'Address', resolve: (b) => b.holder }),
      balance: t.field({ type: 'BigInt', resolve: (b) => b.balance }),
    }),
  });

  const tokenIdPage = builder
    .objectRef<{ tokenIds: string[]; endCursor: string | null; hasNextPage: boolean }>('TokenIdPage')
    .implement({
      fields: (t) => ({
        tokenIds: t.field({ type: ['BigInt'], resolve: (p) => p.tokenIds }),
        endCursor: t.string({
          nullable: true,
          description: 'Pass as `after` for the next page.',
          resolve: (p) => p.endCursor,
        }),
        hasNextPage: t.exposeBoolean('hasNextPage'),
      }),
    });

  builder.queryFields((t) => ({
    erc20Token: t.field({
      type: erc20Token,
      args: { chainId: t.arg.int({ required: true }), address: t.arg({ type: 'Address', required: true }) },
      resolve: (_root, { chainId, address }, ctx) =>
        requireContract(ctx, chainId, address, ['erc20'], 'address'),
    }),
    erc20Balances: t.field({
      type: [erc20Balance],
      description: 'Non-zero balances of one holder across every configured ERC-20 of a chain.',
      args: { chainId: t.arg.int({ required: true }), holder: t.arg({ type: 'Address', required: true }) },
      resolve: async (_root, { chainId, holder }, ctx) => {
        const tokens = ctx.services.catalog.contractsOfChain(chainId).filter((c) => c.abiKind === 'erc20');
        if (tokens.length === 0) return [];
        const pipeline = ctx.services.redis.pipeline();
        for (const token of tokens)
          pipeline.hget(contractKeys(ctx.services.keyPrefix, chainId, token.address).balances, holder);
        const results = (await pipeline.exec()) ?? [];
        const balances: Balance[] = [];
        tokens.forEach((token, index) => {
          const [error, value] = results[index] ?? [null, null];
          if (error) throw error;
          if (typeof value === 'string' && value !== '0') balances.push({ token, holder, balance: value });
        });
        return balances;
      },
    }),
    nftOwner: t.field({
      type: 'Address',
      nullable: true,
      description: 'Current owner of an ERC-721 token; null when it does not exist or was burned.',
      args: {
        chainId: t.arg.int({ required: true }),
        contract: t.arg({ type: 'Address', required: true }),
        tokenId: t.arg({ type: 'BigInt', required: true }),
      },
      resolve: async (_root, { chainId, contract, tokenId }, ctx) => {
        requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        return ctx.services.redis.hget(
          contractKeys(ctx.services.keyPrefix, chainId, contract).owners,
          tokenId,
        );
      },
    }),
    nftBalance: t.field({
      type: 'BigInt',
      description: 'Number of ERC-721 tokens an owner holds.',
      args: {
        chainId: t.arg.int({ required: true }),
        contract: t.arg({ type: 'Address', required: true }),
        owner: t.arg({ type: 'Address', required: true }),
      },
      resolve: async (_root, { chainId, contract, owner }, ctx) => {
        requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        return (
          (await ctx.services.redis.hget(
            contractKeys(ctx.services.keyPrefix, chainId, contract).balances,
            owner,
          )) ?? '0'
        );
      },
    }),
    nftTokens: t.field({
      type: tokenIdPage,
      description: 'Token ids an owner holds, in lexicographic order of their decimal form, paginated.',
      args: {
        chainId: t.arg.int({ required: true }),
        contract: t.arg({ type: 'Address', required: true }),
        owner: t.arg({ type: 'Address', required: true }),
        first: t.arg.int({ required: false, defaultValue: 50 }),
        after: t.arg.string({ required: false }),
      },
      resolve: async (_root, { chainId, contract, owner, first, after }, ctx) => {
        requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        const count = first ?? 50;
        if (count < 1 || count > 500) throw badUserInput('first', `must be between 1 and 500. Got ${count}.`);
        if (after != null && !/^\d{1,80}$/.test(after))
          throw badUserInput(
            'after',
            `must be the endCursor of a previous page (a token id). Got ${JSON.stringify(after)}.`,
          );
        const key = ownerTokensKey(ctx.services.keyPrefix, chainId, contract, owner);
        const ids = await ctx.services.redis.zrangebylex(
          key,
          after == null ? '-' : `(${after}`,
          '+',
          'LIMIT',
          0,
          count + 1,
        );
        const page = ids.slice(0, count);
        return { tokenIds: page, endCursor: page.at(-1) ?? null, hasNextPage: ids.length > count };
      },
    }),
    erc1155Balance: t.field({
      type: 'BigInt',
      args: {
        chainId: t.arg.int({ required: true }),
        contract: t.arg({ type: 'Address', required: true }),
        id: t.arg({ type: 'BigInt', required: true }),
        holder: t.arg({ type: 'Address', required: true }),
      },
      resolve: async (_root, { chainId, contract, id, holder }, ctx) => {
        requireContract(ctx, chainId, contract, ['erc1155'], 'contract');
        return (
          (await ctx.services.redis.hget(
            contractKeys(ctx.services.keyPrefix, chainId, contract).multiBalances,
            `${id}:${holder}`,
          )) ?? '0'
        );
      },
    }),
  }));
}
