import type { Abi, Account, Address, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { compileContracts } from './compileContracts.ts';
import type { DeployedContract } from './demoContracts.ts';

/**
 * The projections the demo follows the Market contract with: the marketplace example of
 * docs/projections.md and examples/blockwire.yaml (a test keeps the three equal).
 */
export const demoMarketProjections = [
  {
    name: 'Listing',
    key: 'args.listingId',
    on: {
      Listed: {
        set: { seller: 'args.seller', price: 'args.price', active: true, listedAt: 'block.timestamp' },
      },
      PriceChanged: { set: { price: 'args.newPrice' } },
      Sold: { set: { active: false, buyer: 'args.buyer' }, add: { volume: 'args.price' } },
      Cancelled: { delete: true },
    },
  },
  {
    name: 'SellerStats',
    key: 'args.seller',
    on: {
      Listed: { add: { listings: 1 } },
      Sold: { add: { sales: 1, volume: 'args.price' } },
    },
  },
];

/** Parameters of {@link deployDemoMarket}. */
export type DeployDemoMarketParameters = {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** Cache folder root for compiled artifacts. */
  stackDir?: string | undefined;
};

/** Compiles (cached) and deploys the Market contract of `test/contracts/Market.sol`. */
export async function deployDemoMarket({
  publicClient,
  walletClient,
  stackDir,
}: DeployDemoMarketParameters): Promise<DeployedContract> {
  const artifact = compileContracts({ stackDir }).Market;
  if (!artifact) throw new StackError('Contract Market is missing from the compiled artifacts');
  const hash = await walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress)
    throw new StackError(`Deploying Market failed (transaction ${hash})`);
  return {
    name: 'Market',
    address: receipt.contractAddress,
    abi: artifact.abi,
    startBlock: receipt.blockNumber,
    deployTransaction: hash,
  };
}

/** Parameters of {@link runMarketAction}. */
export type RunMarketActionParameters = {
  publicClient: PublicClient;
  wallets: WalletClient<Transport, Chain, Account>[];
  market: { address: Address; abi: Abi };
  /** Picks the wallet, the listing and the action. */
  seed: number;
};

/**
 * One marketplace transaction for the demo: on a listing picked by `seed` that is still active it
 * reprices, buys or cancels, otherwise it lists something new. The listing is read first, so the
 * transaction does not revert.
 */
export async function runMarketAction({ publicClient, wallets, market, seed }: RunMarketActionParameters) {
  const wallet = wallets[seed % wallets.length]!;
  const next = (await publicClient.readContract({ ...market, functionName: 'nextListingId' })) as bigint;
  const candidate = next > 1n ? 1n + (BigInt(seed * 7919) % (next - 1n)) : 0n;
  const listing =
    candidate > 0n
      ? ((await publicClient.readContract({ ...market, functionName: 'listing', args: [candidate] })) as {
          active: boolean;
        })
      : { active: false };
  const price = BigInt(1 + (seed % 97)) * 10n ** 15n;
  const action =
    listing.active && seed % 5 !== 0 ? (['changePrice', 'buy', 'cancel'] as const)[seed % 3]! : 'list';
  const args = action === 'list' ? [price] : action === 'changePrice' ? [candidate, price] : [candidate];
  const hash = await wallet.writeContract({ ...market, functionName: action, args, chain: wallet.chain });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new StackError(`Market ${action} reverted (transaction ${hash})`);
}
