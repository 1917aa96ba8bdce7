import {
  accountChannel,
  type ChainEvent,
  contractChannel,
  type HeadChannelMessage,
  headsChannel,
  pendingChannel,
} from '../../domain/index.ts';
import type { GatewayContext } from '../context.ts';
import { readModelOf } from '../readModel/index.ts';
import { createChannelStream } from '../stream/channelStream.ts';
import type { EventNode } from '../stream/eventNode.ts';
import { createEventStream } from '../stream/eventStream.ts';
import { trackSubscription } from '../stream/trackSubscription.ts';
import type { Builder, SchemaRefs } from './builder.ts';
import type { ContractSpec } from './describeContracts.ts';
import { type EventFilterInput, positionsFrom, resolveFilter } from './inputs.ts';
import { requireChain } from './requireChain.ts';

type BalanceUpdate = {
  contract: ContractSpec;
  holder: string;
  tokenId: string | null;
  balance: string;
  node: EventNode;
};

const transferNames = new Set(['Transfer', 'TransferSingle', 'TransferBatch']);

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value.toLowerCase() : undefined;
}

/**
 * Whether an event is a transfer from, to or operated by `account` (lower-case): what the account
 * channel carries of transfers, and what a replayed journal entry must be to count as one.
 */
function isTransferOf(event: ChainEvent, account: string): boolean {
  if (event.eventName === null || !transferNames.has(event.eventName)) return false;
  const { from, to, operator } = event.args;
  return asString(from) === account || asString(to) === account || asString(operator) === account;
}

/**
 * The channels of one account's events: one per configured contract of the chain (account channels
 * are per contract, see `accountChannel`).
 */
function accountChannels(services: GatewayContext['services'], chainId: number, account: string): string[] {
  return services.catalog
    .contractsOfChain(chainId)
    .map((contract) => accountChannel(services.keyPrefix, chainId, contract.address, account));
}

/** The balances an event changed for one holder, read from Redis after the event was applied. */
async function balanceUpdatesOf(
  ctx: GatewayContext,
  node: EventNode,
  holder: string,
): Promise<BalanceUpdate[]> {
  const { event } = node;
  const contract = ctx.services.catalog.contract(event.chainId, event.address);
  if (!contract || !event.eventName || !transferNames.has(event.eventName) || event.status === 'PENDING')
    return [];
  const args = event.args;
  if (asString(args.from) !== holder && asString(args.to) !== holder) return [];
  const reader = readModelOf(ctx.services);
  if (contract.abiKind === 'erc20' || contract.abiKind === 'erc721') {
    const balance = await reader.balanceOf(contract, holder);
    return [{ contract, holder, tokenId: null, balance, node }];
  }
  if (contract.abiKind === 'erc1155') {
    const ids = event.eventName === 'TransferSingle' ? [args.id] : Array.isArray(args.ids) ? args.ids : [];
    const tokenIds = ids.filter((id): id is string => typeof id === 'string');
    if (tokenIds.length === 0) return [];
    const balances = await reader.multiBalancesOf(contract, tokenIds, holder);
    return tokenIds.map((tokenId, index) => ({
      contract,
      holder,
      tokenId,
      balance: balances[index] ?? '0',
      node,
    }));
  }
  return [];
}

/** Adds the `events`, `transfers`, `balanceUpdates` and `heads` subscriptions. */
export function addSubscriptions(builder: Builder, { chainEvent, eventFilter }: SchemaRefs) {
  const head = builder.objectRef<HeadChannelMessage>('Head').implement({
    description: 'A new confirmed block of a chain.',
    fields: (t) => ({
      chainId: t.exposeInt('chainId'),
      blockNumber: t.field({
        type: 'BigInt',
        description: 'The confirmed block.',
        resolve: (h) => h.blockNumber,
      }),
      blockHash: t.field({ type: 'Hex', resolve: (h) => h.blockHash }),
      head: t.field({
        type: 'BigInt',
        description: 'Latest block seen when it was confirmed.',
        resolve: (h) => h.head,
      }),
    }),
  });

  const balanceUpdate = builder.objectRef<BalanceUpdate>('BalanceUpdate').implement({
    description: 'A holder balance after a transfer (read from the projection when the event was delivered).',
    fields: (t) => ({
      chainId: t.int({ resolve: (u) => u.contract.chainId }),
      contract: t.field({ type: 'Address', resolve: (u) => u.contract.address }),
      contractName: t.string({ resolve: (u) => u.contract.name }),
      holder: t.field({ type: 'Address', resolve: (u) => u.holder }),
      tokenId: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'ERC-1155 token id.',
        resolve: (u) => u.tokenId,
      }),
      balance: t.field({
        type: 'BigInt',
        description: 'ERC-20 amount, ERC-721 token count or ERC-1155 amount.',
        resolve: (u) => u.balance,
      }),
      event: t.field({ type: chainEvent, resolve: (u) => u.node }),
    }),
  });

  builder.subscriptionFields((t) => ({
    events: t.field({
      type: chainEvent,
      description:
        'Events matching the filter, in order per contract, exactly once. With `after` (a cursor or a resumeToken) the journal is replayed from there first, gapless. With `includePending`, PENDING events are delivered as they are seen, later followed by the CONFIRMED or REMOVED event of the same id; a PENDING whose block is already confirmed is never delivered. A template name in `filter.contracts` stands for the contracts its factory created when the subscription starts: contracts created later are not followed, until a resubscription with a resumeToken adds them from their first event.',
      args: {
        filter: t.arg({ type: eventFilter, required: false }),
        after: t.arg({ type: 'StreamPosition', required: false }),
        includePending: t.arg.boolean({ required: false, defaultValue: false }),
      },
      subscribe: async (_root, args, ctx) => {
        const { keyPrefix, redis, hub, logger, config } = ctx.services;
        // The contracts are taken once: a template's children created later are not added.
        const resolved = await resolveFilter(ctx.services, args.filter as EventFilterInput | null);
        const channels = resolved.contracts.map((c) => contractChannel(keyPrefix, c.chainId, c.address));
        if (args.includePending) {
          for (const c of resolved.contracts) channels.push(pendingChannel(keyPrefix, c.chainId, c.address));
        }
        return trackSubscription(
          'events',
          createEventStream({
            redis,
            hub,
            logger,
            channels,
            sources: resolved.sources,
            after: positionsFrom(args.after, resolved.contracts, resolved.fromTemplates),
            filter: resolved.predicate,
            capacity: config.gateway.limits.subscriptionBuffer,
            sink: ctx.delivery?.open(),
          }),
        );
      },
      resolve: (node: EventNode) => node,
    }),
    transfers: t.field({
      type: chainEvent,
      description:
        "Transfers (ERC-20/721 Transfer, ERC-1155 TransferSingle/Batch) from, to or operated by one account, in order per contract, exactly once. With `after` (a cursor or a resumeToken, e.g. the one a SUBSCRIPTION_INTERRUPTED or SLOW_CONSUMER error carries) the journals of the chain's contracts are replayed from there first, gapless.",
      args: {
        chainId: t.arg.int({ required: true }),
        account: t.arg({ type: 'Address', required: true }),
        after: t.arg({ type: 'StreamPosition', required: false }),
      },
      subscribe: async (_root, { chainId, account, after }, ctx) => {
        requireChain(ctx, chainId);
        const { redis, hub, logger, config } = ctx.services;
        // Every configured contract of the chain: its journal for the replay, its account channel live.
        const { contracts, sources } = await resolveFilter(ctx.services, { chainId });
        return trackSubscription(
          'transfers',
          createEventStream({
            redis,
            hub,
            logger,
            channels: accountChannels(ctx.services, chainId, account),
            sources,
            after: positionsFrom(after, contracts),
            filter: (event) => isTransferOf(event, account.toLowerCase()),
            capacity: config.gateway.limits.subscriptionBuffer,
            sink: ctx.delivery?.open(),
          }),
        );
      },
      resolve: (node: EventNode) => node,
    }),
    balanceUpdates: t.field({
      type: balanceUpdate,
      description:
        'Balance changes of one holder across the configured ERC-20/721/1155 contracts of a chain.',
      args: { chainId: t.arg.int({ required: true }), holder: t.arg({ type: 'Address', required: true }) },
      subscribe: (_root, { chainId, holder }, ctx) => {
        requireChain(ctx, chainId);
        const { redis, hub, logger, config } = ctx.services;
        const events = createEventStream({
          redis,
          hub,
          logger,
          channels: accountChannels(ctx.services, chainId, holder),
          sources: [],
          after: undefined,
          filter: (event) => event.eventName !== null && transferNames.has(event.eventName),
          capacity: config.gateway.limits.subscriptionBuffer,
          // Balances are read when an update is delivered: a replay would show today's balances.
          resumeMessage:
            'Resubscribe, then query the balances: balanceUpdates do not replay what was missed.',
        });
        let pending: BalanceUpdate[] = [];
        const iterator = {
          async next(): Promise<IteratorResult<BalanceUpdate>> {
            while (pending.length === 0) {
              const result = await events.next();
              if (result.done) return { done: true, value: undefined };
              pending = await balanceUpdatesOf(ctx, result.value, holder);
            }
            return { done: false, value: pending.shift()! };
          },
          return: async (): Promise<IteratorResult<BalanceUpdate>> => {
            pending = [];
            await events.return();
            return { done: true, value: undefined };
          },
          [Symbol.asyncIterator]() {
            return iterator;
          },
        };
        return trackSubscription('balanceUpdates', iterator);
      },
      resolve: (update: BalanceUpdate) => update,
    }),
    heads: t.field({
      type: head,
      description: 'New confirmed heads of one chain, or of every configured chain.',
      args: { chainId: t.arg.int({ required: false }) },
      subscribe: (_root, { chainId }, ctx) => {
        if (chainId != null) requireChain(ctx, chainId);
        const ids = chainId != null ? [chainId] : ctx.services.catalog.chainIds;
        return trackSubscription(
          'heads',
          createChannelStream<HeadChannelMessage>({
            hub: ctx.services.hub,
            channels: ids.map((id) => headsChannel(ctx.services.keyPrefix, id)),
            capacity: ctx.services.config.gateway.limits.subscriptionBuffer,
            sink: ctx.delivery?.open<HeadChannelMessage>(),
            map: (message) => {
              const payload = message.payload as Partial<HeadChannelMessage> | null;
              return payload?.kind === 'head' && typeof payload.chainId === 'number'
                ? (payload as HeadChannelMessage)
                : undefined;
            },
          }),
        );
      },
      resolve: (message: HeadChannelMessage) => message,
    }),
  }));
}
