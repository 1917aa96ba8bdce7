import type { ChainEvent } from '../../domain/index.ts';
import { RpcError } from '../../shared/errors/index.ts';
import { readOutstandingPending } from '../kafka-read/readOutstandingPending.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { SessionContext } from './createSessionContext.ts';
import { latestBlock } from './latestBlock.ts';

/**
 * Retracts the PENDING events that an earlier session announced beyond `afterBlock` (the checkpoint)
 * for blocks the canonical chain no longer has, e.g. orphaned while no ingestor ran: the tracker
 * starts again from the checkpoint and does not know them, so without this no REMOVED would follow.
 * Runs before the session publishes anything else, so the checkpoint cannot pass such a block first.
 * Announcements of blocks still canonical are left alone: the session confirms (or retracts) them.
 */
export async function retractOrphanedPending(session: SessionContext, afterBlock: number): Promise<void> {
  const { kafka, topics, chainId, rpc, publisher, logger } = session;
  const outstanding = await readOutstandingPending({
    kafka,
    topic: topics.pending,
    chainId,
    afterBlock,
    groupId: session.groupId('pending'),
  });
  if (outstanding.length === 0) return;
  session.throwIfAborted();
  const head = await latestBlock(rpc);
  const canonicalHash = new Map<number, string | undefined>();
  for (const blockNumber of new Set(outstanding.map((event) => event.blockNumber))) {
    if (blockNumber > head.number) continue;
    const block = await rpc.getBlock(blockNumber);
    // A block below the head that the node does not have: the chain moved, start the session again.
    if (!block)
      throw new RpcError(`Block ${blockNumber} is gone while reconciling pending events`, {
        code: rpcErrorCodes.blockNotFound,
        retriable: true,
      });
    canonicalHash.set(blockNumber, block.hash);
  }
  const orphaned = outstanding.filter((event) => canonicalHash.get(event.blockNumber) !== event.blockHash);
  if (orphaned.length === 0) return;
  logger.warn({
    msg: 'Retracting pending events of blocks orphaned before this session',
    chain_id: chainId,
    events: orphaned.length,
    blocks: new Set(orphaned.map((event) => event.blockHash)).size,
    after_block: afterBlock,
  });
  await publisher.publishPending(orphaned.map((event): ChainEvent => ({ ...event, status: 'REMOVED' })));
}
