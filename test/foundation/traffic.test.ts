import { decodeEventLog } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type DemoContracts,
  type DevWalletClient,
  deployDemoContracts,
  getSharedChain,
  runTraffic,
  TRAFFIC_KINDS,
} from '../support/chain.ts';

describe('traffic generator', () => {
  const chain = getSharedChain();
  let contracts: DemoContracts;
  let wallets: DevWalletClient[];

  beforeAll(async () => {
    // Fresh accounts: the other worker may be sending from the default ones.
    wallets = await Promise.all(Array.from({ length: 4 }, () => chain.createFundedWallet()));
    contracts = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: wallets[0]! });
  });

  it('emits logs of every token event kind', async () => {
    const result = await runTraffic({
      publicClient: chain.publicClient,
      wallets,
      contracts,
      count: 30,
      seed: 42,
    });
    expect(result.transactions).toHaveLength(30);
    for (const kind of TRAFFIC_KINDS) expect(result.counts[kind], kind).toBeGreaterThan(0);

    const first = result.transactions[0]!.blockNumber;
    const last = result.transactions.at(-1)!.blockNumber;
    const seen = new Set<string>();
    for (const [name, contract] of Object.entries(contracts)) {
      const logs = await chain.publicClient.getLogs({
        address: contract.address,
        fromBlock: first,
        toBlock: last,
      });
      for (const log of logs) {
        const event = decodeEventLog({ abi: contract.abi, data: log.data, topics: log.topics });
        const args = event.args as Record<string, unknown>;
        const from = args.from as string | undefined;
        const to = args.to as string | undefined;
        const zero = '0x0000000000000000000000000000000000000000';
        const kind = from === zero ? 'mint' : to === zero ? 'burn' : 'transfer';
        seen.add(`${name}.${event.eventName}.${kind}`);
      }
    }
    expect([...seen].sort()).toEqual(
      [
        'erc20.Transfer.mint',
        'erc20.Transfer.transfer',
        'erc20.Transfer.burn',
        'erc721.Transfer.mint',
        'erc721.Transfer.transfer',
        'erc721.Transfer.burn',
        'erc1155.TransferSingle.mint',
        'erc1155.TransferSingle.transfer',
        'erc1155.TransferSingle.burn',
        'erc1155.TransferBatch.mint',
        'erc1155.TransferBatch.transfer',
      ].sort(),
    );
  });

  it('repeats the same operations for the same seed', async () => {
    const fresh = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: wallets[0]! });
    const again = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: wallets[0]! });
    const one = await runTraffic({
      publicClient: chain.publicClient,
      wallets,
      contracts: fresh,
      count: 15,
      seed: 7,
    });
    const two = await runTraffic({
      publicClient: chain.publicClient,
      wallets,
      contracts: again,
      count: 15,
      seed: 7,
    });
    const shape = (r: typeof one) => r.transactions.map((t) => `${t.kind}:${t.from}`);
    expect(shape(two)).toEqual(shape(one));
  });
});
