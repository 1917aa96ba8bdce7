import type { ChainStatus } from '../../domain/index.ts';
import type { ResolvedChain } from '../../shared/config/index.ts';
import type { GatewayContext } from '../context.ts';
import { readModelOf } from '../readModel/index.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import type { ContractSpec } from './describeContracts.ts';
import { findChildContracts } from './findChildContracts.ts';

/** A chain and its status, read once (one HGETALL) for all the fields a query selects. */
type ChainShape = { chain: ResolvedChain; status(): Promise<ChainStatus> };

function chainShape(ctx: GatewayContext, chain: ResolvedChain): ChainShape {
  let status: Promise<ChainStatus> | undefined;
  return {
    chain,
    status: () => {
      status ??= readModelOf(ctx.services).chainStatus(chain.chainId);
      return status;
    },
  };
}

function optionalBigInt(value: string | null): string | null {
  return value !== null && /^\d+$/.test(value) ? value : null;
}

/** Adds `Chain`, `Contract`, `ContractKind`, and the `chains`/`chain` queries. */
export function addChainQueries(builder: Builder) {
  const kind = builder.enumType('ContractKind', {
    values: {
      ERC20: { value: 'erc20' },
      ERC721: { value: 'erc721' },
      ERC1155: { value: 'erc1155' },
      CUSTOM: { value: 'custom' },
    },
  });

  const eventCount = builder.objectRef<{ eventName: string; count: string }>('EventCount').implement({
    fields: (t) => ({
      eventName: t.exposeString('eventName', {
        description: '`__undecoded` counts logs that did not decode.',
      }),
      count: t.field({ type: 'BigInt', resolve: (row) => row.count }),
    }),
  });

  const contract = builder.objectRef<ContractSpec>('Contract').implement({
    description: 'A configured contract and its processing progress.',
    fields: (t) => ({
      chainId: t.exposeInt('chainId'),
      address: t.field({ type: 'Address', resolve: (c) => c.address }),
      name: t.exposeString('name'),
      kind: t.field({ type: kind, resolve: (c) => c.abiKind }),
      processedCursor: t.field({
        type: 'Cursor',
        nullable: true,
        description: 'Journal id of the last applied event.',
        resolve: async (c, _args, ctx) => (await readModelOf(ctx.services).contractProgress(c)).lastJournalId,
      }),
      appliedEvents: t.field({
        type: 'BigInt',
        description: 'Number of events applied to the projection.',
        resolve: async (c, _args, ctx) => (await readModelOf(ctx.services).contractProgress(c)).appliedCount,
      }),
      eventCounts: t.field({
        type: [eventCount],
        resolve: (c, _args, ctx) => readModelOf(ctx.services).eventCounts(c),
      }),
    }),
  });

  const chain = builder.objectRef<ChainShape>('Chain').implement({
    description: 'A configured chain and how far the pipeline has got.',
    fields: (t) => ({
      chainId: t.int({ resolve: ({ chain }) => chain.chainId }),
      name: t.string({ nullable: true, resolve: ({ chain }) => chain.name ?? null }),
      confirmations: t.int({ resolve: ({ chain }) => chain.confirmations }),
      head: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'Latest block seen by the ingestor.',
        resolve: async ({ status }) => optionalBigInt((await status()).head),
      }),
      confirmed: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'Last confirmed block published by the ingestor.',
        resolve: async ({ status }) => optionalBigInt((await status()).confirmed),
      }),
      confirmedHash: t.field({
        type: 'Hex',
        nullable: true,
        resolve: async ({ status }) => (await status()).confirmedHash,
      }),
      processedBlock: t.field({
        type: 'BigInt',
        nullable: true,
        description:
          'Last block up to which every event is applied to Redis (blocks without events count once the processor has caught up with their checkpoint).',
        resolve: async ({ status }) => optionalBigInt((await status()).processedBlock),
      }),
      lag: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'head − processedBlock, in blocks.',
        resolve: async ({ status }) => {
          const { head: headField, processedBlock } = await status();
          const head = optionalBigInt(headField);
          const processed = optionalBigInt(processedBlock);
          if (head === null || processed === null) return null;
          const lag = BigInt(head) - BigInt(processed);
          return (lag < 0n ? 0n : lag).toString();
        },
      }),
      updatedAt: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'Unix milliseconds of the last status update.',
        resolve: async ({ status }) => optionalBigInt((await status()).updatedAt),
      }),
      contracts: t.field({
        type: [contract],
        resolve: ({ chain }, _args, ctx) => ctx.services.catalog.contractsOfChain(chain.chainId),
      }),
    }),
  });

  builder.queryFields((t) => ({
    chains: t.field({
      type: [chain],
      resolve: (_root, _args, ctx) => ctx.services.config.chains.map((c) => chainShape(ctx, c)),
    }),
    chain: t.field({
      type: chain,
      nullable: true,
      args: { chainId: t.arg.int({ required: true }) },
      resolve: (_root, { chainId }, ctx) => {
        const found = ctx.services.config.chains.find((c) => c.chainId === chainId);
        return found ? chainShape(ctx, found) : null;
      },
    }),
  }));

  return { chain, contract };
}

/**
 * A configured contract of the given kind, or a contract a factory created from a template of that
 * kind (looked up in Redis), or an error naming the argument.
 */
export async function requireContract(
  ctx: GatewayContext,
  chainId: number,
  address: string,
  kinds: ContractSpec['abiKind'][],
  argument: string,
): Promise<ContractSpec> {
  const found =
    ctx.services.catalog.contract(chainId, address) ??
    (await findChildContracts({ services: ctx.services, chainIds: [chainId], addresses: [address] }))
      .get(address.toLowerCase())
      ?.find((child) => kinds.includes(child.abiKind));
  if (!found || !kinds.includes(found.abiKind)) {
    throw badUserInput(
      argument,
      `must be a configured ${kinds.join('/')} contract on chain ${chainId}${ctx.services.catalog.templatesOfChain(chainId).length > 0 ? ', or one a factory created' : ''}. Got ${address}${found ? ` (${found.abiKind === 'custom' ? 'a custom' : `an ${found.abiKind}`} contract)` : ''}.`,
    );
  }
  return found;
}
