/**
 * Seeded random marketplace traffic on a test chain: list, changePrice, buy and cancel from several
 * wallets, on listings that are live on the canonical chain at the time (the generator follows the
 * chain's logs, so it stays valid across evm_revert reorgs), with a few hot listings repriced often.
 *
 * Two ways to mine: one transaction per block (automine), or a burst whose transactions are sent with
 * automine off and mined together, so hundreds of events confirm in one or a few blocks. Within a
 * burst the order of transactions is not relied on: a listing gets at most one operation, except hot
 * listings, which only get price changes.
 */
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hash,
  type Hex,
  keccak256,
  type Log,
  type PublicClient,
  parseEventLogs,
  parseGwei,
} from 'viem';
import { createSeededRandom, type SeededRandom } from '../../../src/dev-stack/createSeededRandom.ts';
import type { DevTestClient, DevWalletClient } from '../../../src/dev-stack/index.ts';
import { type MarketContract, marketAbi } from './marketChain.ts';

/** One marketplace call; `from` indexes the generator's wallets. */
export type MarketOp =
  | { kind: 'list'; from: number; price: bigint }
  | { kind: 'changePrice'; from: number; listingId: bigint; price: bigint }
  | { kind: 'buy'; from: number; listingId: bigint }
  | { kind: 'cancel'; from: number; listingId: bigint };

/** A kind of {@link MarketOp}. */
export type MarketOpKind = MarketOp['kind'];

/** A listing that is active on the canonical chain. */
export type LiveListing = { seller: Address };

/** What one call of the generator mined. */
export type MarketTrafficResult = {
  ops: MarketOp[];
  /** Blocks the transactions landed in. */
  blocks: bigint[];
  /** Listing ids the calls created (`list`). */
  listed: bigint[];
};

/** Parameters of {@link createMarketTraffic}. */
export type CreateMarketTrafficParameters = {
  publicClient: PublicClient;
  testClient: DevTestClient;
  market: MarketContract;
  /** Accounts that call the market; random operations use all but those in `quietWallets`. */
  wallets: DevWalletClient[];
  /** Indexes of wallets that random traffic never uses (the test sends from them explicitly). */
  quietWallets?: number[];
};

/** The generator. */
export type MarketTraffic = {
  /** `count` random operations, each mined in its own block. */
  blocks(count: number, seed: number): Promise<MarketTrafficResult>;
  /** `count` random operations sent at once and mined together. */
  burst(count: number, seed: number): Promise<MarketTrafficResult>;
  /** The given operations, mined together (`together`) or one block each. */
  send(ops: MarketOp[], options?: { together?: boolean }): Promise<MarketTrafficResult>;
  /** Listings active on the canonical chain now, by id. */
  live(): Promise<Map<bigint, LiveListing>>;
  /** Listings that random traffic only reprices (never buys or cancels). */
  hot: Set<bigint>;
  /** Every listing id and seller any branch ever had, orphaned ones included. */
  seen: { listingIds: Set<bigint>; sellers: Set<Address> };
  /** Transactions mined per kind, orphaned ones included. */
  counts: Record<MarketOpKind, number>;
};

// Generous fixed limits: no estimation round trip per transaction, and the block builder packs by
// gas used, so a limit well above use costs nothing.
const gasLimits: Record<MarketOpKind, bigint> = {
  list: 250_000n,
  changePrice: 80_000n,
  buy: 200_000n,
  cancel: 100_000n,
};
// Far above any base fee a run reaches (full burst blocks raise it 12.5% each), so no burst
// transaction is left waiting in the mempool.
const maxFeePerGas = parseGwei('500');
const maxPriorityFeePerGas = parseGwei('1');
const maxBlocksPerBurst = 50;
const sendersInFlight = 6;

/** Creates the generator (state is read from the chain on each call). */
export function createMarketTraffic({
  publicClient,
  testClient,
  market,
  wallets,
  quietWallets = [],
}: CreateMarketTrafficParameters): MarketTraffic {
  const active = new Map<bigint, LiveListing>();
  let synced: { number: bigint; hash: Hash } | undefined;
  const hot = new Set<bigint>();
  const seen = { listingIds: new Set<bigint>(), sellers: new Set<Address>() };
  const counts: Record<MarketOpKind, number> = { list: 0, changePrice: 0, buy: 0, cancel: 0 };
  const traders = wallets.map((_, index) => index).filter((index) => !quietWallets.includes(index));

  const applyLogs = (logs: Log[]) => {
    for (const log of parseEventLogs({ abi: marketAbi, logs })) {
      if (log.eventName === 'Listed') {
        active.set(log.args.listingId, { seller: getAddress(log.args.seller) });
        seen.listingIds.add(log.args.listingId);
        seen.sellers.add(getAddress(log.args.seller));
      } else if (log.eventName === 'Sold' || log.eventName === 'Cancelled') {
        active.delete(log.args.listingId);
      }
    }
  };

  /** Brings the model to the chain's head: incrementally, or from scratch after a rewind. */
  const sync = async () => {
    const head = await publicClient.getBlock({ blockTag: 'latest' });
    const stillCanonical =
      synced !== undefined &&
      synced.number <= head.number &&
      (await publicClient.getBlock({ blockNumber: synced.number })).hash === synced.hash;
    if (!stillCanonical) active.clear();
    const fromBlock = stillCanonical ? synced!.number + 1n : market.startBlock;
    if (fromBlock <= head.number)
      applyLogs(await publicClient.getLogs({ address: market.address, fromBlock, toBlock: head.number }));
    synced = { number: head.number, hash: head.hash };
  };

  const randomPrice = (random: SeededRandom): bigint =>
    // Now and then a price far beyond 2^64 (and a JS number's precision): uint256 end to end.
    random.next() < 0.1
      ? 2n ** 200n + BigInt(random.int(0, 1_000_000))
      : BigInt(random.int(1, 1_000_000)) * 10n ** 12n;

  /** A random operation on the model; `reserved` listings are taken already in this burst. */
  const plan = (random: SeededRandom, reserved: Set<bigint>): MarketOp => {
    const from = random.pick(traders);
    const hotLive = [...hot].filter((id) => active.has(id));
    const free = [...active.keys()].filter((id) => !hot.has(id) && !reserved.has(id));
    const roll = random.next();
    if (roll < 0.2 || (free.length === 0 && hotLive.length === 0)) {
      return { kind: 'list', from, price: randomPrice(random) };
    }
    if (roll < 0.65 || free.length === 0) {
      const useHot = hotLive.length > 0 && (free.length === 0 || random.next() < 0.7);
      const listingId = useHot ? random.pick(hotLive) : random.pick(free);
      if (!useHot) reserved.add(listingId);
      return { kind: 'changePrice', from, listingId, price: randomPrice(random) };
    }
    const listingId = random.pick(free);
    reserved.add(listingId);
    return roll < 0.85 ? { kind: 'buy', from, listingId } : { kind: 'cancel', from, listingId };
  };

  const calldata = (op: MarketOp) => {
    switch (op.kind) {
      case 'list':
        return encodeFunctionData({ abi: marketAbi, functionName: 'list', args: [op.price] });
      case 'changePrice':
        return encodeFunctionData({
          abi: marketAbi,
          functionName: 'changePrice',
          args: [op.listingId, op.price],
        });
      case 'buy':
        return encodeFunctionData({ abi: marketAbi, functionName: 'buy', args: [op.listingId] });
      case 'cancel':
        return encodeFunctionData({ abi: marketAbi, functionName: 'cancel', args: [op.listingId] });
    }
  };

  /**
   * Signs locally with explicit nonce, gas and fees (one RPC call per transaction) and sends a few at
   * a time: a burst's order in its block is not relied on, and the node queues a nonce that arrives
   * before its predecessor.
   */
  const sendAll = async (ops: MarketOp[]): Promise<Hash[]> => {
    const nonces = new Map<number, number>();
    const signed: Hex[] = [];
    for (const op of ops) {
      const wallet = wallets[op.from];
      if (!wallet) throw new Error(`No wallet ${op.from}`);
      let nonce = nonces.get(op.from);
      nonce ??= await publicClient.getTransactionCount({
        address: wallet.account.address,
        blockTag: 'pending',
      });
      nonces.set(op.from, nonce + 1);
      signed.push(
        await wallet.account.signTransaction!({
          chainId: publicClient.chain!.id,
          type: 'eip1559',
          to: market.address,
          data: calldata(op),
          nonce,
          gas: gasLimits[op.kind],
          maxFeePerGas,
          maxPriorityFeePerGas,
        }),
      );
    }
    let next = 0;
    const sender = async () => {
      while (next < signed.length) {
        const transaction = signed[next++]!;
        const hash = await publicClient.sendRawTransaction({ serializedTransaction: transaction });
        if (hash !== keccak256(transaction)) throw new Error(`Node answered hash ${hash} for ${transaction}`);
      }
    };
    await Promise.all(Array.from({ length: sendersInFlight }, sender));
    return signed.map((transaction) => keccak256(transaction));
  };

  /** Checks every transaction mined with its one event, and learns from the logs. */
  const settle = async (ops: MarketOp[], hashes: Hash[], fromBlock: bigint, toBlock: bigint) => {
    const logs = await publicClient.getLogs({ address: market.address, fromBlock, toBlock });
    const logged = new Set(logs.map((log) => log.transactionHash));
    for (const [index, hash] of hashes.entries()) {
      if (logged.has(hash)) continue;
      const receipt = await publicClient.getTransactionReceipt({ hash });
      throw new Error(`Market ${JSON.stringify(ops[index], bigintJson)} (${hash}) ${receipt.status}`);
    }
    applyLogs(logs);
    for (const op of ops) counts[op.kind]++;
    const listed = parseEventLogs({ abi: marketAbi, logs, eventName: 'Listed' })
      .filter((log) => hashes.includes(log.transactionHash))
      .map((log) => log.args.listingId);
    const blocks: bigint[] = [];
    for (let block = fromBlock; block <= toBlock; block++) blocks.push(block);
    const head = await publicClient.getBlock({ blockNumber: toBlock });
    synced = { number: head.number, hash: head.hash };
    return { ops, blocks, listed };
  };

  /** Sends with automine off and mines until the mempool holds none of them. */
  const mineTogether = async (ops: MarketOp[]): Promise<MarketTrafficResult> => {
    const fromBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 1n;
    await testClient.setAutomine(false);
    let hashes: Hash[];
    try {
      hashes = await sendAll(ops);
      const pending = new Set(hashes);
      for (let mined = 0; pending.size > 0; mined++) {
        if (mined === maxBlocksPerBurst)
          throw new Error(`${pending.size} burst transactions still pending after ${mined} blocks`);
        await testClient.mine({ blocks: 1 });
        const block = await publicClient.getBlock({ blockTag: 'latest' });
        for (const hash of block.transactions) pending.delete(hash);
      }
    } finally {
      await testClient.setAutomine(true);
    }
    return settle(ops, hashes, fromBlock, await publicClient.getBlockNumber({ cacheTime: 0 }));
  };

  const mineEach = async (next: (index: number) => MarketOp, count: number) => {
    const result: MarketTrafficResult = { ops: [], blocks: [], listed: [] };
    for (let index = 0; index < count; index++) {
      const op = next(index);
      const [hash] = await sendAll([op]);
      const receipt = await publicClient.waitForTransactionReceipt({ hash: hash! });
      const one = await settle([op], [hash!], receipt.blockNumber, receipt.blockNumber);
      result.ops.push(op);
      result.blocks.push(...one.blocks);
      result.listed.push(...one.listed);
    }
    return result;
  };

  return {
    hot,
    seen,
    counts,
    async live() {
      await sync();
      return new Map(active);
    },
    async blocks(count, seed) {
      await sync();
      const random = createSeededRandom(seed);
      return mineEach(() => plan(random, new Set()), count);
    },
    async burst(count, seed) {
      await sync();
      const random = createSeededRandom(seed);
      const reserved = new Set<bigint>();
      return mineTogether(Array.from({ length: count }, () => plan(random, reserved)));
    },
    async send(ops, { together = false } = {}) {
      await sync();
      return together ? mineTogether(ops) : mineEach((index) => ops[index]!, ops.length);
    },
  };
}

/** JSON.stringify replacer for bigint values. */
function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
