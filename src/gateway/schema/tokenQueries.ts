import { readModelOf, type TokenInfo } from '../readModel/index.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import { requireContract } from './chainQueries.ts';
import type { ContractSpec } from './describeContracts.ts';

type Balance = { token: ContractSpec; holder: string; balance: string };
/** An ERC-20 token; `info` holds its token hash once a field needed it. */
type Erc20Shape = { contract: ContractSpec; info?: Promise<TokenInfo> };

/** Adds ERC-20, ERC-721 and ERC-1155 state queries. */
export function addTokenQueries(builder: Builder) {
  // The token hash is read once per token (one HMGET) for whichever of its fields a query selects.
  const tokenInfo = (token: Erc20Shape, ctx: Parameters<typeof readModelOf>[0]) => {
    token.info ??= readModelOf(ctx).tokenInfo(token.contract);
    return token.info;
  };
  const erc20Token = builder.objectRef<Erc20Shape>('Erc20Token').implement({
    description: 'An ERC-20 token as projected from its Transfer events.',
    fields: (t) => ({
      chainId: t.int({ resolve: ({ contract }) => contract.chainId }),
      address: t.field({ type: 'Address', resolve: ({ contract }) => contract.address }),
      name: t.string({
        description: 'Name in the gateway configuration.',
        resolve: ({ contract }) => contract.name,
      }),
      totalSupply: t.field({
        type: 'BigInt',
        description: 'Minted minus burned.',
        resolve: async (token, _args, ctx) => (await tokenInfo(token, ctx.services)).totalSupply,
      }),
      holderCount: t.field({
        type: 'BigInt',
        resolve: async (token, _args, ctx) => (await tokenInfo(token, ctx.services)).holders,
      }),
      transferCount: t.field({
        type: 'BigInt',
        resolve: async (token, _args, ctx) => (await tokenInfo(token, ctx.services)).transfers,
      }),
      balanceOf: t.field({
        type: 'BigInt',
        args: { holder: t.arg({ type: 'Address', required: true }) },
        resolve: ({ contract }, { holder }, ctx) => readModelOf(ctx.services).balanceOf(contract, holder),
      }),
    }),
  });

  const erc20Balance = builder.objectRef<Balance>('Erc20Balance').implement({
    fields: (t) => ({
      token: t.field({ type: erc20Token, resolve: (b) => ({ contract: b.token }) }),
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
      resolve: async (_root, { chainId, address }, ctx) => ({
        contract: await requireContract(ctx, chainId, address, ['erc20'], 'address'),
      }),
    }),
    erc20Balances: t.field({
      type: [erc20Balance],
      description: 'Non-zero balances of one holder across every configured ERC-20 of a chain.',
      args: { chainId: t.arg.int({ required: true }), holder: t.arg({ type: 'Address', required: true }) },
      resolve: async (_root, { chainId, holder }, ctx) => {
        const tokens = ctx.services.catalog.contractsOfChain(chainId).filter((c) => c.abiKind === 'erc20');
        const values = await readModelOf(ctx.services).balancesOf(tokens, holder);
        const balances: Balance[] = [];
        tokens.forEach((token, index) => {
          const value = values[index];
          if (value !== undefined && value !== '0') balances.push({ token, holder, balance: value });
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
        await requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        return readModelOf(ctx.services).ownerOf({ chainId, address: contract }, tokenId);
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
        await requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        return readModelOf(ctx.services).balanceOf({ chainId, address: contract }, owner);
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
        await requireContract(ctx, chainId, contract, ['erc721'], 'contract');
        const count = first ?? 50;
        if (count < 1 || count > 500) throw badUserInput('first', `must be between 1 and 500. Got ${count}.`);
        if (after != null && !/^\d{1,80}$/.test(after))
          throw badUserInput(
            'after',
            `must be the endCursor of a previous page (a token id). Got ${JSON.stringify(after)}.`,
          );
        const ids = await readModelOf(ctx.services).tokenIdsOf({
          chainId,
          address: contract,
          owner,
          after: after ?? null,
          limit: count + 1,
        });
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
        await requireContract(ctx, chainId, contract, ['erc1155'], 'contract');
        const [balance] = await readModelOf(ctx.services).multiBalancesOf(
          { chainId, address: contract },
          [id],
          holder,
        );
        return balance ?? '0';
      },
    }),
  }));
}
