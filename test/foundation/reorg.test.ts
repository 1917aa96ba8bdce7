import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  mine,
  reorg,
  replaceSince,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';

// Reorgs rewind the chain: this file runs on its own Hardhat node, never the shared one.
describe('reorg helpers on a dedicated chain', () => {
  let chain: TestChain;

  beforeAll(async () => {
    chain = await startTestChain();
  });

  afterAll(async () => {
    await chain?.stop();
  });

  it('automines every transaction into its own block', async () => {
    const [wallet] = chain.walletClients;
    const before = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const hash = await wallet!.sendTransaction({ to: wallet!.account.address, value: 1n });
    const receipt = await chain.publicClient.getTransactionReceipt({ hash });
    expect(receipt.blockNumber).toBe(before + 1n);
  });

  it('mine(n) adds n blocks and returns their hashes', async () => {
    const before = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const hashes = await mine(chain.testClient, 3);
    expect(hashes).toHaveLength(3);
    expect(await chain.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(before + 3n);
    expect((await chain.publicClient.getBlock({ blockNumber: before + 3n })).hash).toBe(hashes[2]);
  });

  it('replaces blocks at the same heights with different hashes', async () => {
    await mine(chain.testClient, 2);
    const [alice, bob] = chain.walletClients;
    let orphanedTx: `0x${string}` | undefined;
    const result = await reorg(chain.testClient, {
      depth: 3,
      orphanedTxs: async () => {
        orphanedTx = await alice!.sendTransaction({ to: bob!.account.address, value: 5n });
      },
    });
    expect(result.orphaned).toHaveLength(3);
    expect(result.canonical).toHaveLength(4);
    for (const [index, hash] of result.orphaned.entries()) {
      expect(result.canonical[index]).not.toBe(hash);
      const block = await chain.publicClient.getBlock({
        blockNumber: result.forkBlockNumber + 1n + BigInt(index),
      });
      expect(block.hash).toBe(result.canonical[index]);
    }
    // The orphaned branch's transaction is gone from the canonical chain.
    await expect(chain.publicClient.getTransactionReceipt({ hash: orphanedTx! })).rejects.toThrow();
    // The new branch links to the common ancestor.
    const ancestor = await chain.publicClient.getBlock({ blockNumber: result.forkBlockNumber });
    const first = await chain.publicClient.getBlock({ blockNumber: result.forkBlockNumber + 1n });
    expect(first.parentHash).toBe(ancestor.hash);
  });

  it('rewinds to a snapshot taken d blocks ago and puts transactions on the new branch', async () => {
    const [alice, bob] = chain.walletClients;
    const snapshot = await takeChainSnapshot(chain.testClient);
    await mine(chain.testClient, 2);
    let replacementTx: `0x${string}` | undefined;
    const result = await replaceSince(chain.testClient, snapshot, {
      replacementBlocks: 2,
      txs: async () => {
        replacementTx = await alice!.sendTransaction({ to: bob!.account.address, value: 7n });
      },
    });
    expect(result.forkBlockNumber).toBe(snapshot.blockNumber);
    expect(result.orphaned).toHaveLength(2);
    expect(result.canonical).toHaveLength(2);
    expect(result.canonical[0]).not.toBe(result.orphaned[0]);
    const receipt = await chain.publicClient.getTransactionReceipt({ hash: replacementTx! });
    expect(receipt.blockHash).toBe(result.canonical[0]);
  });
});
