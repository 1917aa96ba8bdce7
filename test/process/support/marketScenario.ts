import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createSeededRandom } from '../../../src/dev-stack/createSeededRandom.ts';
import type { ChainEvent } from '../../../src/domain/index.ts';
import { loadConfig, type ResolvedContract } from '../../../src/shared/config/index.ts';
import { makeEvent } from './events.ts';

const examplePath = join(import.meta.dirname, '../../../examples/blockwire.yaml');

/** The Market contract of examples/blockwire.yaml, with its Listing and SellerStats projections. */
export const exampleMarket = (() => {
  const config = loadConfig(examplePath, {});
  return config.chains[0]!.contracts.find((contract) => contract.name === 'Market') as ResolvedContract;
})();

/** The projections of examples/blockwire.yaml's Market as written there (raw config). */
export const rawMarketProjections: unknown = (() => {
  const raw = parseYaml(readFileSync(examplePath, 'utf8')) as {
    chains: { contracts: { name: string; projections?: unknown }[] }[];
  };
  return raw.chains[0]!.contracts.find((contract) => contract.name === 'Market')!.projections;
})();

/** The raw config entry of a Market contract at `address` with the example's projections. */
export function marketContractEntry(name: string, address: string, abiPath: string) {
  return { name, address, abi: abiPath, projections: rawMarketProjections };
}

/** Path of the Market ABI of the examples. */
export const marketAbiPath = join(import.meta.dirname, '../../../examples/abis/Market.json');

export type MarketListing = {
  seller: string;
  price: string;
  active: boolean;
  listedAt: string;
  buyer?: string;
  volume: string;
};
export type MarketStats = { listings: bigint; sales: bigint; volume: bigint };
/** What the Market contract holds: listings (cancelled ones deleted) and per-seller stats. */
export type MarketState = {
  next: number;
  listings: Map<number, MarketListing>;
  stats: Map<string, MarketStats>;
  /** Ids of active listings (what list/changePrice/buy/cancel can act on). */
  active: number[];
};

/** Parameters of {@link simulateMarket}. */
export type SimulateMarketParameters = {
  chainId: number;
  address: `0x${string}`;
  seed: number;
  blocks: number;
  /** A reorg of 1–8 blocks after every this many blocks; none when omitted. */
  reorgEvery?: number;
  sellers?: number;
  /** Largest number of events per block (uniform from 0). Default 3. */
  maxEventsPerBlock?: number;
  /** First block number. Default 100. */
  firstBlock?: number;
};

/** The records the processor gets (REMOVED newest first at each reorg) and the final chain's state. */
export type MarketHistory = { records: ChainEvent[]; state: MarketState; sellers: string[] };

function cloneState(state: MarketState): MarketState {
  return {
    next: state.next,
    listings: new Map([...state.listings].map(([id, listing]) => [id, { ...listing }])),
    stats: new Map([...state.stats].map(([seller, stats]) => [seller, { ...stats }])),
    active: [...state.active],
  };
}

const emptyState = (): MarketState => ({ next: 1, listings: new Map(), stats: new Map(), active: [] });

/**
 * A Market contract's event history following the contract's own rules (list, reprice, buy, cancel
 * on active listings), with reorgs when asked: the events as the ingestor would publish them and the
 * state of the final chain, which the projections must equal.
 */
export function simulateMarket({
  chainId,
  address,
  seed,
  blocks,
  reorgEvery,
  sellers: sellerCount = 6,
  maxEventsPerBlock = 3,
  firstBlock = 100,
}: SimulateMarketParameters): MarketHistory {
  const random = createSeededRandom(seed);
  const sellers = Array.from(
    { length: sellerCount },
    (_, i) => `0x${(seed % 256).toString(16).padStart(2, '0')}${(i + 1).toString(16).padStart(38, 'a')}`,
  );
  const records: ChainEvent[] = [];
  // Blocks of the current chain; their states are kept only while a reorg may still reach them.
  const chain: { number: number; events: ChainEvent[]; state?: MarketState }[] = [];
  let state = emptyState();
  let forks = 0;
  const stats = (seller: string) => {
    const entry = state.stats.get(seller) ?? { listings: 0n, sales: 0n, volume: 0n };
    state.stats.set(seller, entry);
    return entry;
  };
  const deactivate = (index: number) => {
    state.active[index] = state.active.at(-1)!;
    state.active.pop();
  };
  const addBlock = () => {
    const number = (chain.at(-1)?.number ?? firstBlock - 1) + 1;
    const hash =
      `0x${forks.toString(16).padStart(8, '0')}${(seed % 65536).toString(16).padStart(8, '0')}${number.toString(16).padStart(48, '0')}` as const;
    const events: ChainEvent[] = [];
    const emit = (eventName: string, args: Record<string, string>) =>
      events.push(
        makeEvent({
          chainId,
          address,
          blockNumber: number,
          blockHash: hash,
          logIndex: events.length,
          eventName,
          args,
        }),
      );
    for (let n = random.int(0, maxEventsPerBlock); n > 0; n--) {
      const choice = state.active.length === 0 ? 0 : random.int(0, 3);
      const index = random.int(0, Math.max(state.active.length - 1, 0));
      const id = state.active[index]!;
      if (choice === 0) {
        const seller = sellers[random.int(0, sellers.length - 1)]!;
        const price = String(random.int(1, 1_000) * 1_000_000_000_000);
        const listingId = state.next++;
        state.listings.set(listingId, {
          seller,
          price,
          active: true,
          listedAt: String(1_700_000_000 + number * 2),
          volume: '0',
        });
        state.active.push(listingId);
        stats(seller).listings += 1n;
        emit('Listed', { listingId: String(listingId), seller, price });
      } else if (choice === 1) {
        const newPrice = String(random.int(1, 1_000));
        state.listings.get(id)!.price = newPrice;
        emit('PriceChanged', { listingId: String(id), newPrice });
      } else if (choice === 2) {
        const listing = state.listings.get(id)!;
        const buyer = sellers[random.int(0, sellers.length - 1)]!;
        listing.active = false;
        listing.buyer = buyer;
        listing.volume = String(BigInt(listing.volume) + BigInt(listing.price));
        stats(listing.seller).sales += 1n;
        stats(listing.seller).volume += BigInt(listing.price);
        deactivate(index);
        emit('Sold', { listingId: String(id), buyer, seller: listing.seller, price: listing.price });
      } else {
        state.listings.delete(id);
        deactivate(index);
        emit('Cancelled', { listingId: String(id) });
      }
    }
    chain.push({ number, events, ...(reorgEvery ? { state: cloneState(state) } : {}) });
    // Reorgs are at most 8 deep: older states are never needed again.
    const old = chain.at(-10);
    if (old) delete old.state;
    records.push(...events);
  };
  const reorg = (depth: number) => {
    const orphaned = chain.splice(chain.length - depth, depth);
    const removed = orphaned.flatMap((block) => block.events).reverse();
    records.push(...removed.map((event): ChainEvent => ({ ...event, status: 'REMOVED' })));
    const base = chain.at(-1);
    state = base ? cloneState(base.state!) : emptyState();
    forks++;
  };
  for (let b = 0; b < blocks; b++) {
    addBlock();
    if (reorgEvery && b % reorgEvery === reorgEvery - 1) reorg(random.int(1, 8));
  }
  return { records, state, sellers };
}
