import { parseEventLogs } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createManyPairs,
  deployPairFactory,
  FACTORY_TRAFFIC_KINDS,
  type FactoryTrafficKind,
  MAX_PAIRS_PER_TRANSACTION,
  pairAbi,
  pairFactoryAbi,
  readFactoryChildren,
  runFactoryTraffic,
} from '../../src/dev-stack/index.ts';
import { startTestChain, type TestChain } from '../support/chain.ts';

/** The logs each kind of factory transaction emits, in log order (`pair` is the one created or swapped). */
const LOGS_OF: Record<FactoryTrafficKind, string[]> = {
  createPair: ['pair.Initialized', 'factory.PairCreated'],
  createPairAndSwap: ['pair.Initialized', 'factory.PairCreated', 'pair.Swap', 'pair.Sync'],
  swap: ['pair.Swap', 'pair.Sync'],
};

describe('PairFactory test contracts', () => {
  // A dedicated node: 1 000 pairs fill a dozen blocks to the transaction gas cap, which the shared
  // chain's other tests should not wait behind.
  let chain: TestChain;
  beforeAll(async () => {
    chain = await startTestChain();
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it('lists its children in creation order, each initialized before it is announced', async () => {
    const { publicClient, walletClients } = chain;
    const factory = await deployPairFactory({ publicClient, walletClient: walletClients[0]! });
    const traffic = await runFactoryTraffic({
      publicClient,
      wallets: walletClients.slice(0, 4),
      factory,
      count: 30,
      seed: 13,
    });
    expect(traffic.transactions).toHaveLength(30);
    for (const kind of FACTORY_TRAFFIC_KINDS) expect(traffic.counts[kind], kind).toBeGreaterThan(0);

    const head = await publicClient.getBlockNumber();
    const announced = await publicClient.getContractEvents({
      address: factory.address,
      abi: pairFactoryAbi,
      eventName: 'PairCreated',
      fromBlock: factory.startBlock,
      toBlock: head,
    });
    const announcedPairs = announced.map((log) => log.args.pair?.toLowerCase());
    expect(announcedPairs).toHaveLength(traffic.counts.createPair + traffic.counts.createPairAndSwap);
    expect(announced.map((log) => log.args.index)).toEqual(announcedPairs.map((_, index) => BigInt(index)));
    expect(await readFactoryChildren({ publicClient, factory, blockNumber: head })).toEqual(announcedPairs);
    expect(traffic.pairs).toEqual(announcedPairs);

    for (const { kind, hash, pair } of traffic.transactions) {
      const receipt = await publicClient.getTransactionReceipt({ hash });
      const logs = parseEventLogs({ abi: [...pairFactoryAbi, ...pairAbi], logs: receipt.logs }).map((log) => {
        const address = log.address.toLowerCase();
        const emitter =
          address === pair ? 'pair' : address === factory.address.toLowerCase() ? 'factory' : address;
        return `${emitter}.${log.eventName}`;
      });
      expect(logs, `${kind} ${hash}`).toEqual(LOGS_OF[kind]);
    }

    // Every swap landed on a pair of this factory.
    let swaps = 0n;
    for (const pair of traffic.pairs) {
      swaps += await publicClient.readContract({ address: pair, abi: pairAbi, functionName: 'swapCount' });
    }
    expect(swaps).toBe(BigInt(traffic.counts.swap + traffic.counts.createPairAndSwap));
  });

  it(`creates 1,000 children in createPairs transactions of ${MAX_PAIRS_PER_TRANSACTION}`, async () => {
    const { publicClient, walletClients } = chain;
    const walletClient = walletClients[1]!;
    const factory = await deployPairFactory({ publicClient, walletClient });
    const many = await createManyPairs({
      publicClient,
      walletClient,
      factory,
      total: 1_000,
      perTransaction: MAX_PAIRS_PER_TRANSACTION,
    });
    expect(many.transactions).toHaveLength(Math.ceil(1_000 / MAX_PAIRS_PER_TRANSACTION));
    expect(new Set(many.pairs).size).toBe(1_000);
    expect(await readFactoryChildren({ publicClient, factory })).toEqual(many.pairs);
  });

  it('says how many pairs fit when one createPairs transaction is asked for too many', async () => {
    const { publicClient, walletClients } = chain;
    const walletClient = walletClients[2]!;
    const factory = await deployPairFactory({ publicClient, walletClient });
    const tooMany = MAX_PAIRS_PER_TRANSACTION + 1;
    await expect(
      createManyPairs({ publicClient, walletClient, factory, total: tooMany, perTransaction: tooMany }),
    ).rejects.toThrow(`At most ${MAX_PAIRS_PER_TRANSACTION} fit`);
    expect(await readFactoryChildren({ publicClient, factory })).toEqual([]);
  });
});
