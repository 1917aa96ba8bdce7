import type { Hash } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { blockHashes } from './blockHashes.ts';
import type { DevTestClient } from './devChain.ts';
import { mine } from './mine.ts';
import type { ChainSnapshot } from './takeChainSnapshot.ts';

/** Parameters of {@link replaceSince}. */
export type ReplaceSinceParameters = {
  /** Blocks of the new branch. Default: orphaned blocks + 1, so the new branch is longer. */
  replacementBlocks?: number | undefined;
  /** Runs first on the new branch (automine: one block per transaction); counts towards `replacementBlocks`. */
  txs?: (() => Promise<unknown>) | undefined;
};

/** Block hashes on both sides of a reorg, oldest first. */
export type ReorgResult = {
  /** Last block both branches share. */
  forkBlockNumber: bigint;
  /** Blocks `forkBlockNumber + 1 …` that are no longer canonical. */
  orphaned: Hash[];
  /** Blocks `forkBlockNumber + 1 …` of the new canonical branch. */
  canonical: Hash[];
};

/**
 * Rewinds to `snapshot` (`evm_revert`) and builds a new branch on it: the first new block gets a
 * timestamp after the orphaned tip, so even an empty replacement block has a different hash from
 * the block it replaces. Ingest tests make a reorg of depth d by taking the snapshot, producing d
 * blocks (with the events they expect to see removed), then calling this.
 */
export async function replaceSince(
  client: DevTestClient,
  snapshot: ChainSnapshot,
  parameters: ReplaceSinceParameters = {},
): Promise<ReorgResult> {
  const tip = await client.getBlock({ blockTag: 'latest' });
  if (tip.number <= snapshot.blockNumber) {
    throw new StackError(
      `Nothing to reorg: head ${tip.number} is not above snapshot block ${snapshot.blockNumber}`,
    );
  }
  const orphaned = await blockHashes(client, snapshot.blockNumber + 1n, tip.number);
  // evm_revert answers false (not an error) for an unknown or already used snapshot id; viem's
  // revert() drops that answer, hence the raw request.
  const reverted = await client.request({ method: 'evm_revert', params: [snapshot.id] } as never);
  if (reverted !== true) throw new StackError(`evm_revert refused snapshot ${snapshot.id}`);
  await client.setNextBlockTimestamp({ timestamp: tip.timestamp + 1n });
  await parameters.txs?.();
  const replacementBlocks = parameters.replacementBlocks ?? orphaned.length + 1;
  const head = await client.getBlockNumber({ cacheTime: 0 });
  const missing = Number(snapshot.blockNumber + BigInt(replacementBlocks) - head);
  await mine(client, missing);
  const newHead = await client.getBlockNumber({ cacheTime: 0 });
  const canonical = await blockHashes(client, snapshot.blockNumber + 1n, newHead);
  return { forkBlockNumber: snapshot.blockNumber, orphaned, canonical };
}
