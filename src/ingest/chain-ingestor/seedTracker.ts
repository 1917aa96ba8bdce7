import type { TrackedBlock } from '../chain-tracker/index.ts';
import type { IngestCheckpoint } from '../checkpoint/ingestCheckpoint.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { SessionContext } from './createSessionContext.ts';

/** Where a session starts: whether the checkpoint it resumes from is still canonical. */
export type SeedTrackerResult = { checkpointCanonical: boolean };

const unknownHash = `0x${'0'.repeat(64)}` as const;

/** The confirmed window rebuilt from a checkpoint: the contiguous run of headers ending at it. */
function windowOfCheckpoint(checkpoint: IngestCheckpoint): TrackedBlock[] {
  const recent = (checkpoint.recent ?? []).filter((entry) => entry.n < checkpoint.blockNumber);
  const headers = [
    ...recent.map((entry) => ({ n: entry.n, h: entry.h })),
    { n: checkpoint.blockNumber, h: checkpoint.blockHash },
  ];
  // Keep only the contiguous run that ends at the checkpoint: the tracker needs consecutive numbers.
  let start = headers.length - 1;
  while (start > 0 && headers[start - 1]!.n === headers[start]!.n - 1) start--;
  return headers.slice(start).map((entry) => ({
    header: { number: entry.n, hash: entry.h, parentHash: unknownHash, timestamp: 0 },
    confirmed: true,
    events: undefined,
  }));
}

/**
 * Resumes at the checkpoint: the window kept in memory by the previous session of this process when
 * it ends at the checkpoint (its events are known), else the one rebuilt from the checkpoint.
 */
async function resumeAtCheckpoint(
  session: SessionContext,
  checkpoint: IngestCheckpoint,
): Promise<SeedTrackerResult> {
  const { tracker, memory, rpc, logger, chainId } = session;
  const kept = memory.blocks;
  const last = kept?.[kept.length - 1];
  tracker.seed(last && last.header.hash === checkpoint.blockHash ? kept! : windowOfCheckpoint(checkpoint));
  const canonical = await rpc.getBlock(checkpoint.blockNumber);
  const checkpointCanonical = canonical?.hash === checkpoint.blockHash;
  logger.info({
    msg: checkpointCanonical
      ? 'Resuming from checkpoint'
      : 'Checkpoint block is no longer canonical; undoing it',
    chain_id: chainId,
    block_number: checkpoint.blockNumber,
    block_hash: checkpoint.blockHash,
  });
  return { checkpointCanonical };
}

/** Starts below the lowest `startBlock`, waiting for the chain to get there. */
async function startBelowStartBlock(session: SessionContext): Promise<SeedTrackerResult> {
  const { tracker, rpc, logger, chain, chainId } = session;
  const minStart = Math.min(...chain.contracts.map((contract) => contract.startBlock));
  // Genesis has no logs: with startBlock 0 confirmation starts at block 1.
  let base: BlockHeader | undefined;
  for (;;) {
    base = await rpc.getBlock(Math.max(0, minStart - 1));
    if (base) break;
    logger.info({
      msg: 'Waiting for the chain to reach startBlock',
      chain_id: chainId,
      start_block: minStart,
    });
    await new Promise((resolve) => setTimeout(resolve, chain.pollIntervalMs));
    session.throwIfAborted();
  }
  tracker.seed([{ header: base, confirmed: true, events: [] }]);
  logger.info({ msg: 'No checkpoint; starting from startBlock', chain_id: chainId, start_block: minStart });
  return { checkpointCanonical: true };
}

/** Seeds the session's tracker with its first confirmed block(s): from the checkpoint, or below startBlock. */
export async function seedTracker(
  session: SessionContext,
  checkpoint: IngestCheckpoint | undefined,
): Promise<SeedTrackerResult> {
  return checkpoint ? resumeAtCheckpoint(session, checkpoint) : startBelowStartBlock(session);
}
