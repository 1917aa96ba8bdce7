import { type Address, type Hash, type PublicClient, parseEventLogs, type TransactionReceipt } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { createSeededRandom, type SeededRandom } from './createSeededRandom.ts';
import type { DemoContracts } from './demoContracts.ts';
import type { DevWalletClient } from './devChain.ts';

/** Every kind of operation the traffic generator performs. */
export const TRAFFIC_KINDS = [
  'erc20.mint',
  'erc20.transfer',
  'erc20.burn',
  'erc721.mint',
  'erc721.transfer',
  'erc721.burn',
  'erc1155.mint',
  'erc1155.mintBatch',
  'erc1155.transfer',
  'erc1155.transferBatch',
  'erc1155.burn',
] as const;

/** One kind of traffic operation, e.g. `erc721.transfer`. */
export type TrafficKind = (typeof TRAFFIC_KINDS)[number];

/** Parameters of {@link runTraffic}. */
export type RunTrafficParameters = {
  publicClient: PublicClient;
  /** Accounts that send and receive; at least 2. */
  wallets: DevWalletClient[];
  contracts: DemoContracts;
  /** Number of transactions. */
  count: number;
  /** Same seed + same starting state → same transactions. Default 1. */
  seed?: number | undefined;
  /** Perform each kind once (mints first) before going random, when `count` allows. Default true. */
  everyKindFirst?: boolean | undefined;
  /** ERC-1155 token ids used. Default [1, 2, 3, 4, 5]. */
  erc1155Ids?: readonly bigint[] | undefined;
  /** Called after each mined transaction, e.g. to print progress. */
  onTransaction?: ((transaction: TrafficTransaction) => void) | undefined;
};

/** A mined traffic transaction. */
export type TrafficTransaction = { kind: TrafficKind; hash: Hash; blockNumber: bigint; from: Address };

/** What {@link runTraffic} did. */
export type TrafficResult = {
  transactions: TrafficTransaction[];
  counts: Record<TrafficKind, number>;
};

const UNIT = 10n ** 15n;

/**
 * Sends `count` random token transactions between `wallets`: ERC-20 mints, transfers and burns,
 * ERC-721 mints, transfers and burns, ERC-1155 single and batch mints and transfers and burns. Each
 * transaction waits for its receipt, so on an automining node each lands in its own block. The
 * generator reads the wallets' starting balances and tracks them afterwards; nothing else may send
 * from these wallets to these contracts meanwhile.
 */
export async function runTraffic(parameters: RunTrafficParameters): Promise<TrafficResult> {
  const { publicClient, wallets, contracts, count, seed = 1, everyKindFirst = true } = parameters;
  const ids = parameters.erc1155Ids ?? [1n, 2n, 3n, 4n, 5n];
  if (wallets.length < 2) throw new StackError(`runTraffic needs at least 2 wallets. Got ${wallets.length}.`);
  const random = createSeededRandom(seed);
  const state = await readState(publicClient, wallets, contracts, ids);
  const result: TrafficResult = {
    transactions: [],
    counts: Object.fromEntries(TRAFFIC_KINDS.map((kind) => [kind, 0])) as Record<TrafficKind, number>,
  };

  const send = async (
    kind: TrafficKind,
    wallet: DevWalletClient,
    hash: Hash,
  ): Promise<TransactionReceipt> => {
    const receipt = await receiptOf(publicClient, hash);
    if (receipt.status !== 'success') throw new StackError(`Traffic transaction ${kind} ${hash} reverted`);
    const transaction = { kind, hash, blockNumber: receipt.blockNumber, from: wallet.account.address };
    result.transactions.push(transaction);
    result.counts[kind] += 1;
    parameters.onTransaction?.(transaction);
    return receipt;
  };
  const other = (wallet: DevWalletClient) => random.pick(wallets.filter((candidate) => candidate !== wallet));
  const amount = (max: bigint) => (max * BigInt(random.int(1, 1000))) / 1000n || 1n;

  const perform = async (kind: TrafficKind): Promise<boolean> => {
    const { erc20, erc721, erc1155 } = contracts;
    switch (kind) {
      case 'erc20.mint': {
        const wallet = random.pick(wallets);
        const value = BigInt(random.int(1, 1_000_000)) * UNIT;
        await send(
          kind,
          wallet,
          await wallet.writeContract({
            ...erc20,
            functionName: 'mint',
            args: [wallet.account.address, value],
          }),
        );
        add(state.erc20, wallet, value);
        return true;
      }
      case 'erc20.transfer':
      case 'erc20.burn': {
        const holders = wallets.filter((wallet) => (state.erc20.get(wallet) ?? 0n) > 0n);
        if (holders.length === 0) return false;
        const wallet = random.pick(holders);
        const value = amount(state.erc20.get(wallet) ?? 0n);
        if (kind === 'erc20.transfer') {
          const to = other(wallet);
          await send(
            kind,
            wallet,
            await wallet.writeContract({
              ...erc20,
              functionName: 'transfer',
              args: [to.account.address, value],
            }),
          );
          add(state.erc20, to, value);
        } else {
          await send(
            kind,
            wallet,
            await wallet.writeContract({
              ...erc20,
              functionName: 'burn',
              args: [wallet.account.address, value],
            }),
          );
        }
        add(state.erc20, wallet, -value);
        return true;
      }
      case 'erc721.mint': {
        const wallet = random.pick(wallets);
        const receipt = await send(
          kind,
          wallet,
          await wallet.writeContract({ ...erc721, functionName: 'mint', args: [wallet.account.address] }),
        );
        const [minted] = parseEventLogs({ abi: erc721.abi, logs: receipt.logs, eventName: 'Transfer' });
        if (!minted) throw new StackError(`ERC-721 mint ${receipt.transactionHash} emitted no Transfer`);
        state.erc721.set(minted.args.tokenId, wallet);
        return true;
      }
      case 'erc721.transfer':
      case 'erc721.burn': {
        const tokens = [...state.erc721.entries()];
        if (tokens.length === 0) return false;
        const [tokenId, owner] = random.pick(tokens);
        if (kind === 'erc721.transfer') {
          const to = other(owner);
          const from = owner.account.address;
          await send(
            kind,
            owner,
            random.next() < 0.5
              ? await owner.writeContract({
                  ...erc721,
                  functionName: 'transferFrom',
                  args: [from, to.account.address, tokenId],
                })
              : await owner.writeContract({
                  ...erc721,
                  functionName: 'safeTransferFrom',
                  args: [from, to.account.address, tokenId],
                }),
          );
          state.erc721.set(tokenId, to);
        } else {
          await send(
            kind,
            owner,
            await owner.writeContract({ ...erc721, functionName: 'burn', args: [tokenId] }),
          );
          state.erc721.delete(tokenId);
        }
        return true;
      }
      case 'erc1155.mint': {
        const wallet = random.pick(wallets);
        const id = random.pick(ids);
        const value = BigInt(random.int(1, 100));
        await send(
          kind,
          wallet,
          await wallet.writeContract({
            ...erc1155,
            functionName: 'mint',
            args: [wallet.account.address, id, value],
          }),
        );
        add1155(state.erc1155, wallet, id, value);
        return true;
      }
      case 'erc1155.mintBatch': {
        const wallet = random.pick(wallets);
        const batch = pickDistinct(random, ids, random.int(2, Math.min(3, ids.length)));
        const values = batch.map(() => BigInt(random.int(1, 100)));
        await send(
          kind,
          wallet,
          await wallet.writeContract({
            ...erc1155,
            functionName: 'mintBatch',
            args: [wallet.account.address, batch, values],
          }),
        );
        for (const [index, id] of batch.entries()) add1155(state.erc1155, wallet, id, values[index] ?? 0n);
        return true;
      }
      case 'erc1155.transfer':
      case 'erc1155.burn':
      case 'erc1155.transferBatch': {
        const holdings = [...state.erc1155.entries()].filter(([, balances]) =>
          [...balances.values()].some((v) => v > 0n),
        );
        if (holdings.length === 0) return false;
        const [wallet, balances] = random.pick(holdings);
        const held = [...balances.entries()].filter(([, value]) => value > 0n).map(([id]) => id);
        const from = wallet.account.address;
        if (kind === 'erc1155.transferBatch') {
          const batch = pickDistinct(random, held, random.int(1, Math.min(3, held.length)));
          const values = batch.map((id) => amount(balances.get(id) ?? 0n));
          const to = other(wallet);
          await send(
            kind,
            wallet,
            await wallet.writeContract({
              ...erc1155,
              functionName: 'safeBatchTransferFrom',
              args: [from, to.account.address, batch, values, '0x'],
            }),
          );
          batch.forEach((id, index) => {
            add1155(state.erc1155, wallet, id, -(values[index] ?? 0n));
            add1155(state.erc1155, to, id, values[index] ?? 0n);
          });
          return true;
        }
        const id = random.pick(held);
        const value = amount(balances.get(id) ?? 0n);
        if (kind === 'erc1155.transfer') {
          const to = other(wallet);
          await send(
            kind,
            wallet,
            await wallet.writeContract({
              ...erc1155,
              functionName: 'safeTransferFrom',
              args: [from, to.account.address, id, value, '0x'],
            }),
          );
          add1155(state.erc1155, to, id, value);
        } else {
          await send(
            kind,
            wallet,
            await wallet.writeContract({ ...erc1155, functionName: 'burn', args: [from, id, value] }),
          );
        }
        add1155(state.erc1155, wallet, id, -value);
        return true;
      }
    }
  };

  const mintFallback: Record<string, TrafficKind> = {
    erc20: 'erc20.mint',
    erc721: 'erc721.mint',
    erc1155: 'erc1155.mint',
  };
  for (let index = 0; index < count; index++) {
    const kind =
      everyKindFirst && count >= TRAFFIC_KINDS.length && index < TRAFFIC_KINDS.length
        ? (TRAFFIC_KINDS[index] as TrafficKind)
        : random.pick(TRAFFIC_KINDS);
    // Nothing to transfer or burn yet: mint in the same standard instead, keeping the count exact.
    if (!(await perform(kind))) await perform(mintFallback[kind.split('.')[0] as string] as TrafficKind);
  }
  return result;
}

type TrafficState = {
  erc20: Map<DevWalletClient, bigint>;
  erc721: Map<bigint, DevWalletClient>;
  erc1155: Map<DevWalletClient, Map<bigint, bigint>>;
};

async function readState(
  publicClient: PublicClient,
  wallets: DevWalletClient[],
  contracts: DemoContracts,
  ids: readonly bigint[],
): Promise<TrafficState> {
  const read = await Promise.all(
    wallets.map(async (wallet) => {
      const address = wallet.account.address;
      const [balance, balances] = await Promise.all([
        publicClient.readContract({ ...contracts.erc20, functionName: 'balanceOf', args: [address] }),
        publicClient.readContract({
          ...contracts.erc1155,
          functionName: 'balanceOfBatch',
          args: [ids.map(() => address), [...ids]],
        }),
      ]);
      return { wallet, balance, balances };
    }),
  );
  // The maps are filled in the wallets' order, not in the order the reads answered: random picks
  // over their entries must be the same for the same seed.
  const erc20 = new Map<DevWalletClient, bigint>();
  const erc1155 = new Map<DevWalletClient, Map<bigint, bigint>>();
  for (const { wallet, balance, balances } of read) {
    erc20.set(wallet, balance);
    erc1155.set(wallet, new Map(ids.map((id, index) => [id, balances[index] ?? 0n])));
  }
  // ERC-721 tokens minted before this run are not tracked: the demo contract is not enumerable.
  return { erc20, erc721: new Map(), erc1155 };
}

async function receiptOf(publicClient: PublicClient, hash: Hash): Promise<TransactionReceipt> {
  // With automine the receipt exists as soon as eth_sendTransaction returned.
  try {
    return await publicClient.getTransactionReceipt({ hash });
  } catch {
    return publicClient.waitForTransactionReceipt({ hash });
  }
}

function add<K>(map: Map<K, bigint>, key: K, value: bigint): void {
  map.set(key, (map.get(key) ?? 0n) + value);
}

function add1155(
  map: Map<DevWalletClient, Map<bigint, bigint>>,
  wallet: DevWalletClient,
  id: bigint,
  value: bigint,
): void {
  let balances = map.get(wallet);
  if (!balances) {
    balances = new Map();
    map.set(wallet, balances);
  }
  add(balances, id, value);
}

function pickDistinct<T>(random: SeededRandom, items: readonly T[], size: number): T[] {
  const pool = [...items];
  const picked: T[] = [];
  while (picked.length < size && pool.length > 0) {
    picked.push(pool.splice(random.int(0, pool.length - 1), 1)[0] as T);
  }
  return picked;
}
