import { StackError } from '../shared/errors/index.ts';
import type { DevTestClient } from './devChain.ts';
import { mine } from './mine.ts';
import { type ReorgResult, type ReplaceSinceParameters, replaceSince } from './replaceSince.ts';
import { takeChainSnapshot } from './takeChainSnapshot.ts';

/** Parameters of {@link reorg}. */
export type ReorgParameters = ReplaceSinceParameters & {
  /** Number of blocks to orphan (at least 1). */
  depth: number;
  /** Runs first on the branch that gets orphaned; its blocks count towards `depth`. */
  orphanedTxs?: (() => Promise<unknown>) | undefined;
};

/**
 * Produces a reorg of `depth` blocks on a Hardhat node: snapshot → (orphanedTxs) → mine up to
 * `depth` blocks → revert → next timestamp after the orphaned tip → (txs) → mine the replacement
 * branch. Rewinds the chain, so only use it on a node no other test shares (see
 * `test/support/chain.ts`).
 */
export async function reorg(client: DevTestClient, parameters: ReorgParameters): Promise<ReorgResult> {
  if (!Number.isInteger(parameters.depth) || parameters.depth < 1) {
    throw new StackError(`reorg depth must be a positive integer. Got ${parameters.depth}.`);
  }
  const snapshot = await takeChainSnapshot(client);
  await parameters.orphanedTxs?.();
  const head = await client.getBlockNumber({ cacheTime: 0 });
  await mine(client, Number(snapshot.blockNumber + BigInt(parameters.depth) - head));
  return replaceSince(client, snapshot, parameters);
}
