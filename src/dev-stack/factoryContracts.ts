import {
  type Address,
  type Hash,
  type PublicClient,
  parseAbi,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { compileContracts } from './compileContracts.ts';
import { createSeededRandom } from './createSeededRandom.ts';
import type { DeployedContract } from './demoContracts.ts';
import type { DevWalletClient } from './devChain.ts';
import { receiptOf } from './receiptOf.ts';

/** ABI of `PairFactory` (test/contracts/PairFactory.sol, examples/abis/PairFactory.json). */
export const pairFactoryAbi = parseAbi([
  'event PairCreated(address indexed token0, address pair, uint256 index)',
  'function allPairs(uint256) view returns (address)',
  'function allPairsLength() view returns (uint256)',
  'function createPair(address token0) returns (address pair)',
  'function createPairAndSwap(address token0, uint256 amount0, uint256 amount1) returns (address pair)',
  'function createPairs(address token0, uint256 count)',
  'function pairsRange(uint256 from, uint256 to) view returns (address[] pairs)',
]);

/** ABI of `Pair`, the factory's child (test/contracts/PairFactory.sol, examples/abis/Pair.json). */
export const pairAbi = parseAbi([
  'constructor(address token0_)',
  'event Initialized(address indexed factory, address indexed token0)',
  'event Swap(address indexed sender, uint256 amount0, uint256 amount1)',
  'event Sync(uint256 reserve0, uint256 reserve1)',
  'function factory() view returns (address)',
  'function token0() view returns (address)',
  'function reserve0() view returns (uint256)',
  'function reserve1() view returns (uint256)',
  'function swapCount() view returns (uint256)',
  'function swap(uint256 amount0, uint256 amount1)',
]);

/**
 * Most pairs one `createPairs` transaction creates on the Hardhat dev chain: each costs 185 261 gas,
 * and the Osaka hardfork caps a transaction at 16 777 216 gas (EIP-7825). Measured figures are in
 * test/contracts/PairFactory.sol.
 */
export const MAX_PAIRS_PER_TRANSACTION = 90;

/** A deployed PairFactory; a {@link DeployedContract} from {@link deployPairFactory} fits. */
export type PairFactoryContract = { address: Address };

/** Parameters of {@link deployPairFactory}. */
export type DeployPairFactoryParameters = {
  publicClient: PublicClient;
  /** Deployer; any funded account. */
  walletClient: DevWalletClient;
  /** Cache folder root for compiled artifacts. */
  stackDir?: string | undefined;
};

/**
 * Compiles (cached) and deploys the PairFactory of `test/contracts/PairFactory.sol`. Every call
 * deploys a fresh factory with no children.
 */
export async function deployPairFactory({
  publicClient,
  walletClient,
  stackDir,
}: DeployPairFactoryParameters): Promise<DeployedContract<typeof pairFactoryAbi>> {
  const artifact = compileContracts({ stackDir }).PairFactory;
  if (!artifact) throw new StackError('Contract PairFactory is missing from the compiled artifacts');
  const hash = await walletClient.deployContract({ abi: pairFactoryAbi, bytecode: artifact.bytecode });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new StackError(`Deploying PairFactory failed (transaction ${hash})`);
  }
  return {
    name: 'PairFactory',
    address: receipt.contractAddress,
    abi: pairFactoryAbi,
    startBlock: receipt.blockNumber,
    deployTransaction: hash,
  };
}

/** Every kind of transaction {@link runFactoryTraffic} sends. */
export const FACTORY_TRAFFIC_KINDS = ['createPair', 'createPairAndSwap', 'swap'] as const;

/** One kind of factory transaction: a new pair, a new pair swapped on at once, a swap on a pair. */
export type FactoryTrafficKind = (typeof FACTORY_TRAFFIC_KINDS)[number];

/** A mined factory traffic transaction. */
export type FactoryTrafficTransaction = {
  kind: FactoryTrafficKind;
  hash: Hash;
  blockNumber: bigint;
  from: Address;
  /** The pair created or swapped on, lower-case. */
  pair: Address;
};

/** Parameters of {@link runFactoryTraffic}. */
export type RunFactoryTrafficParameters = {
  publicClient: PublicClient;
  /** Senders, picked at random per transaction; at least 1. */
  wallets: DevWalletClient[];
  factory: PairFactoryContract;
  /** Number of transactions. */
  count: number;
  /** Same seed + same starting state → same transactions. Default 1. */
  seed?: number | undefined;
  /** Called after each mined transaction, e.g. to print progress. */
  onTransaction?: ((transaction: FactoryTrafficTransaction) => void) | undefined;
};

/** What {@link runFactoryTraffic} did. */
export type FactoryTrafficResult = {
  transactions: FactoryTrafficTransaction[];
  counts: Record<FactoryTrafficKind, number>;
  /** Pairs this run created, lower-case, in creation order. */
  pairs: Address[];
};

const UNIT = 10n ** 15n;

/**
 * Sends `count` random factory transactions from random `wallets`: `createPair`,
 * `createPairAndSwap`, and `swap` on a random pair of the factory (created before or during the
 * run). Each transaction waits for its receipt, so on an automining node each lands in its own
 * block; nothing else may send from these wallets meanwhile (nonces).
 */
export async function runFactoryTraffic(
  parameters: RunFactoryTrafficParameters,
): Promise<FactoryTrafficResult> {
  const { publicClient, wallets, factory, count, seed = 1 } = parameters;
  if (wallets.length === 0) throw new StackError('runFactoryTraffic needs at least 1 wallet. Got 0.');
  const random = createSeededRandom(seed);
  const pairs = await readFactoryChildren({ publicClient, factory });
  const result: FactoryTrafficResult = {
    transactions: [],
    counts: Object.fromEntries(FACTORY_TRAFFIC_KINDS.map((kind) => [kind, 0])) as Record<
      FactoryTrafficKind,
      number
    >,
    pairs: [],
  };
  const amount = () => BigInt(random.int(1, 1_000_000)) * UNIT;

  for (let index = 0; index < count; index++) {
    const drawn = random.pick(FACTORY_TRAFFIC_KINDS);
    // No pair to swap on yet: create one instead, keeping the count exact.
    const kind = drawn === 'swap' && pairs.length === 0 ? 'createPair' : drawn;
    const wallet = random.pick(wallets);
    let hash: Hash;
    let swapped: Address | undefined;
    if (kind === 'swap') {
      swapped = random.pick(pairs);
      hash = await wallet.writeContract({
        address: swapped,
        abi: pairAbi,
        functionName: 'swap',
        args: [amount(), amount()],
      });
    } else {
      const token0 = random.pick(wallets).account.address;
      hash = await wallet.writeContract({
        address: factory.address,
        abi: pairFactoryAbi,
        ...(kind === 'createPair'
          ? { functionName: 'createPair', args: [token0] }
          : { functionName: 'createPairAndSwap', args: [token0, amount(), amount()] }),
      });
    }
    const receipt = await receiptOf(publicClient, hash);
    if (receipt.status !== 'success') throw new StackError(`Factory transaction ${kind} ${hash} reverted`);
    let pair = swapped;
    if (!pair) {
      const [created] = createdPairs(factory, receipt);
      if (!created) throw new StackError(`Factory transaction ${kind} ${hash} emitted no PairCreated`);
      pairs.push(created);
      result.pairs.push(created);
      pair = created;
    }
    const transaction = { kind, hash, blockNumber: receipt.blockNumber, from: wallet.account.address, pair };
    result.transactions.push(transaction);
    result.counts[kind] += 1;
    parameters.onTransaction?.(transaction);
  }
  return result;
}

/** Parameters of {@link readFactoryChildren}. */
export type ReadFactoryChildrenParameters = {
  publicClient: PublicClient;
  factory: PairFactoryContract;
  /** Block to read at. Default: the head when called. */
  blockNumber?: bigint | undefined;
};

/** Pairs per `pairsRange` call: 1 000 cold storage reads stay far below any eth_call gas cap. */
const CHILDREN_PAGE = 1_000n;

/**
 * The factory's children at one block, lower-case, in creation order, read from the contract's own
 * `allPairs` list: the chain's answer a factory-following children list must equal.
 */
export async function readFactoryChildren({
  publicClient,
  factory,
  blockNumber,
}: ReadFactoryChildrenParameters): Promise<Address[]> {
  // One block for every page: the list may grow between the calls.
  const at = blockNumber ?? (await publicClient.getBlockNumber({ cacheTime: 0 }));
  const read = { address: factory.address, abi: pairFactoryAbi, blockNumber: at } as const;
  const length = await publicClient.readContract({ ...read, functionName: 'allPairsLength' });
  const children: Address[] = [];
  for (let from = 0n; from < length; from += CHILDREN_PAGE) {
    const to = from + CHILDREN_PAGE < length ? from + CHILDREN_PAGE : length;
    const page = await publicClient.readContract({ ...read, functionName: 'pairsRange', args: [from, to] });
    children.push(...page.map(lowerCase));
  }
  return children;
}

/** Parameters of {@link createManyPairs}. */
export type CreateManyPairsParameters = {
  publicClient: PublicClient;
  walletClient: DevWalletClient;
  factory: PairFactoryContract;
  /** Pairs to create. */
  total: number;
  /** Pairs per `createPairs` transaction. Default {@link MAX_PAIRS_PER_TRANSACTION}. */
  perTransaction?: number | undefined;
  /** `token0` of every pair. Default the wallet's address. */
  token0?: Address | undefined;
};

/** What {@link createManyPairs} did. */
export type CreateManyPairsResult = {
  /** The pairs created, lower-case, in creation order. */
  pairs: Address[];
  transactions: { hash: Hash; blockNumber: bigint }[];
};

/**
 * Creates `total` pairs with as few `createPairs` transactions as `perTransaction` allows (1 000
 * pairs: 12 transactions of at most 90), e.g. a factory with thousands of children for a backfill.
 */
export async function createManyPairs(parameters: CreateManyPairsParameters): Promise<CreateManyPairsResult> {
  const {
    publicClient,
    walletClient,
    factory,
    total,
    perTransaction = MAX_PAIRS_PER_TRANSACTION,
  } = parameters;
  if (!Number.isSafeInteger(total) || total < 0) {
    throw new StackError(`createManyPairs: total must be an integer ≥ 0. Got ${total}.`);
  }
  if (!Number.isSafeInteger(perTransaction) || perTransaction < 1) {
    throw new StackError(`createManyPairs: perTransaction must be an integer ≥ 1. Got ${perTransaction}.`);
  }
  const token0 = parameters.token0 ?? walletClient.account.address;
  const result: CreateManyPairsResult = { pairs: [], transactions: [] };
  while (result.pairs.length < total) {
    const count = Math.min(perTransaction, total - result.pairs.length);
    let hash: Hash;
    try {
      hash = await walletClient.writeContract({
        address: factory.address,
        abi: pairFactoryAbi,
        functionName: 'createPairs',
        args: [token0, BigInt(count)],
      });
    } catch (error) {
      throw new StackError(`Creating ${count} pairs in one createPairs transaction failed`, {
        details:
          count > MAX_PAIRS_PER_TRANSACTION
            ? `At most ${MAX_PAIRS_PER_TRANSACTION} fit under the 16 777 216 gas cap of a transaction (EIP-7825): lower perTransaction.`
            : undefined,
        cause: error,
      });
    }
    const receipt = await receiptOf(publicClient, hash);
    const created = receipt.status === 'success' ? createdPairs(factory, receipt) : [];
    if (created.length !== count) {
      throw new StackError(`createPairs of ${count} pairs created ${created.length} (transaction ${hash})`);
    }
    result.pairs.push(...created);
    result.transactions.push({ hash, blockNumber: receipt.blockNumber });
  }
  return result;
}

/** The pairs `factory` announced in a receipt, lower-case, in log order. */
function createdPairs(factory: PairFactoryContract, receipt: TransactionReceipt): Address[] {
  const address = factory.address.toLowerCase();
  return parseEventLogs({ abi: pairFactoryAbi, logs: receipt.logs, eventName: 'PairCreated' })
    .filter((log) => log.address.toLowerCase() === address)
    .map((log) => lowerCase(log.args.pair));
}

function lowerCase(address: Address): Address {
  return address.toLowerCase() as Address;
}
