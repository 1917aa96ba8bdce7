import type { Address, PublicClient } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import type { DevWalletClient } from './devChain.ts';
import { type PairFactoryContract, pairAbi, pairFactoryAbi } from './factoryContracts.ts';
import { receiptOf } from './receiptOf.ts';

/**
 * The projections the demo follows every pair of its PairFactory with: the Pair template of
 * docs/factories.md and examples/blockwire.yaml (a test keeps the three equal).
 */
export const demoPairProjections = [
  { name: 'Trader', key: 'args.sender', on: { Swap: { add: { volume0: 'args.amount0', swaps: 1 } } } },
];

/** Pairs the demo creates first; then one more every {@link newPairEvery} rounds, up to {@link maxPairs}. */
const initialPairs = 3;
const newPairEvery = 20;
/** Few enough for `events(filter: { contracts: ["Pair"] })` however long the demo runs. */
const maxPairs = 20;

/** Parameters of {@link runPairAction}. */
export type RunPairActionParameters = {
  publicClient: PublicClient;
  wallets: DevWalletClient[];
  factory: PairFactoryContract;
  /** `token0` of the pairs created. */
  token0: Address;
  /** Picks the wallet, the pair, the amounts and whether a pair is created. */
  seed: number;
};

/** What {@link runPairAction} did. */
export type RunPairActionResult = { action: 'createPair' | 'swap'; pair: Address };

/**
 * One factory transaction for the demo: a new pair while the factory has fewer than three, and every
 * twentieth round up to twenty pairs; otherwise a swap on a pair picked by `seed`. The children stay
 * few, so each has traders to look at in GraphiQL.
 */
export async function runPairAction({
  publicClient,
  wallets,
  factory,
  token0,
  seed,
}: RunPairActionParameters): Promise<RunPairActionResult> {
  const wallet = wallets[seed % wallets.length]!;
  const read = { address: factory.address, abi: pairFactoryAbi } as const;
  const count = await publicClient.readContract({ ...read, functionName: 'allPairsLength' });
  if (count < BigInt(initialPairs) || (seed % newPairEvery === 0 && count < BigInt(maxPairs))) {
    const hash = await wallet.writeContract({ ...read, functionName: 'createPair', args: [token0] });
    const receipt = await receiptOf(publicClient, hash);
    if (receipt.status !== 'success') throw new StackError(`createPair reverted (transaction ${hash})`);
    const pair = await publicClient.readContract({ ...read, functionName: 'allPairs', args: [count] });
    return { action: 'createPair', pair };
  }
  const pair = await publicClient.readContract({
    ...read,
    functionName: 'allPairs',
    args: [BigInt(seed * 7919) % count],
  });
  const amount = (salt: number) => BigInt(1 + ((seed * salt) % 97)) * 10n ** 15n;
  const hash = await wallet.writeContract({
    address: pair,
    abi: pairAbi,
    functionName: 'swap',
    args: [amount(31), amount(17)],
  });
  const receipt = await receiptOf(publicClient, hash);
  if (receipt.status !== 'success') throw new StackError(`Pair swap reverted (transaction ${hash})`);
  return { action: 'swap', pair };
}
