/**
 * The chain side of the marketplace end-to-end test: test/contracts/Market.sol deployed on a test
 * chain, and its view functions read at one block. The views return exactly what the Listing and
 * SellerStats projections of examples/blockwire.yaml compute, so they are the test's oracle.
 */
import { readFileSync } from 'node:fs';
import { type Address, getAddress, type PublicClient, parseAbi } from 'viem';
import { parse } from 'yaml';
import { compileContracts, type DevWalletClient } from '../../../src/dev-stack/index.ts';

/** The Market ABI (same as the compiled one and examples/abis/Market.json), typed for viem. */
export const marketAbi = parseAbi([
  'struct Listing { bool exists; address seller; uint256 price; bool active; address buyer; uint256 volume; uint256 listedAt; }',
  'struct SellerStats { uint256 listings; uint256 sales; uint256 volume; }',
  'function nextListingId() view returns (uint256)',
  'function list(uint256 price) returns (uint256 listingId)',
  'function changePrice(uint256 listingId, uint256 newPrice)',
  'function buy(uint256 listingId)',
  'function cancel(uint256 listingId)',
  'function listing(uint256 listingId) view returns (Listing)',
  'function sellerStats(address seller) view returns (SellerStats)',
  'event Listed(uint256 indexed listingId, address indexed seller, uint256 price)',
  'event PriceChanged(uint256 indexed listingId, uint256 newPrice)',
  'event Sold(uint256 indexed listingId, address indexed buyer, address indexed seller, uint256 price)',
  'event Cancelled(uint256 indexed listingId)',
]);

/**
 * The projections of the Market in examples/blockwire.yaml (Listing and SellerStats), as a user
 * writes them: the test runs the example's own declaration against the contract's views.
 */
export function exampleMarketProjections(): unknown[] {
  const example = parse(
    readFileSync(new URL('../../../examples/blockwire.yaml', import.meta.url), 'utf8'),
  ) as {
    chains: { contracts: { name: string; projections?: unknown[] }[] }[];
  };
  const market = example.chains
    .flatMap((chain) => chain.contracts)
    .find((contract) => contract.name === 'Market');
  if (!market?.projections) throw new Error('examples/blockwire.yaml has no Market projections');
  return market.projections;
}

/** A deployed Market. */
export type MarketContract = { address: Address; startBlock: bigint };

/** Parameters of {@link deployMarket}. */
export type DeployMarketParameters = { publicClient: PublicClient; walletClient: DevWalletClient };

/** Compiles (cached) and deploys test/contracts/Market.sol. */
export async function deployMarket({
  publicClient,
  walletClient,
}: DeployMarketParameters): Promise<MarketContract> {
  const artifact = compileContracts().Market;
  if (!artifact) throw new Error('test/contracts has no Market contract');
  const hash = await walletClient.deployContract({ abi: marketAbi, bytecode: artifact.bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (!receipt.contractAddress) throw new Error(`Market deployment ${hash} created no contract`);
  return { address: receipt.contractAddress, startBlock: receipt.blockNumber };
}

/** `listing(id)` as returned by the contract (decimal strings for uint256). */
export type ListingView = {
  exists: boolean;
  seller: Address;
  price: string;
  active: boolean;
  buyer: Address;
  volume: string;
  listedAt: string;
};

/** `sellerStats(seller)` as returned by the contract. */
export type SellerStatsView = { listings: string; sales: string; volume: string };

/** What the Market's views say at one block. */
export type MarketView = {
  blockNumber: bigint;
  /** Next id `list` would hand out: ids below it were created on the canonical chain. */
  nextListingId: bigint;
  /** By decimal listing id. */
  listings: Map<string, ListingView>;
  /** By lower-case address. */
  sellers: Map<string, SellerStatsView>;
};

/** Parameters of {@link readMarketView}. */
export type ReadMarketViewParameters = {
  publicClient: PublicClient;
  market: MarketContract;
  listingIds: Iterable<bigint>;
  sellers: Iterable<Address>;
  /** Block to read at. Default: the head when called. */
  blockNumber?: bigint;
};

/** Reads `listing(id)` and `sellerStats(seller)` for the given keys at one block. */
export async function readMarketView({
  publicClient,
  market,
  listingIds,
  sellers,
  blockNumber,
}: ReadMarketViewParameters): Promise<MarketView> {
  const at = blockNumber ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  const read = { address: market.address, abi: marketAbi, blockNumber: at } as const;
  const nextListingId = await publicClient.readContract({ ...read, functionName: 'nextListingId' });
  const listings = new Map<string, ListingView>();
  // Sequential: a dedicated Hardhat node answers one eth_call in well under a millisecond, and
  // a burst of parallel calls only queues behind the chain's other clients.
  for (const id of listingIds) {
    const item = await publicClient.readContract({ ...read, functionName: 'listing', args: [id] });
    listings.set(id.toString(), {
      exists: item.exists,
      seller: getAddress(item.seller),
      price: item.price.toString(),
      active: item.active,
      buyer: getAddress(item.buyer),
      volume: item.volume.toString(),
      listedAt: item.listedAt.toString(),
    });
  }
  const stats = new Map<string, SellerStatsView>();
  for (const seller of sellers) {
    const item = await publicClient.readContract({ ...read, functionName: 'sellerStats', args: [seller] });
    stats.set(seller.toLowerCase(), {
      listings: item.listings.toString(),
      sales: item.sales.toString(),
      volume: item.volume.toString(),
    });
  }
  return { blockNumber: at, nextListingId, listings, sellers: stats };
}
