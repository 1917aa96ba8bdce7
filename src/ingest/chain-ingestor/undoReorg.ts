import type { ChainEvent } from '../../domain/index.ts';
import type { SyncResult, TrackedBlock } from '../chain-tracker/index.ts';
import { readOrphanedEvents } from '../kafka-read/readOrphanedEvents.ts';
import { ingestMetrics } from '../metrics.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { SessionContext } from './createSessionContext.ts';

/** A reorg the tracker found: the blocks it orphaned (ascending) and the newest block kept. */
export type Reorg = { orphaned: TrackedBlock[]; ancestor: NonNullable<SyncResult['ancestor']> };

/** REMOVED copies of `events`, newest first: the processor undoes effects in the reverse order they were applied. */
function retractionsOf(events: ChainEvent[]): ChainEvent[] {
  return [...events]
    .sort((a, b) => b.blockNumber - a.blockNumber || b.logIndex - a.logIndex)
    .map((event): ChainEvent => ({ ...event, status: 'REMOVED' }));
}

/**
 * Confirmed events of orphaned blocks: from memory, or read back from `events.confirmed` for the
 * blocks whose events this process does not know (window rebuilt from a checkpoint).
 */
async function confirmedEventsOf(session: SessionContext, blocks: TrackedBlock[]): Promise<ChainEvent[]> {
  const unknown = blocks.filter((block) => block.events === undefined);
  const recovered =
    unknown.length > 0
      ? await readOrphanedEvents({
          kafka: session.kafka,
          topic: session.topics.confirmed,
          chainId: session.chainId,
          blockHashes: new Set(unknown.map((block) => block.header.hash)),
          groupId: session.groupId('orphans'),
        })
      : [];
  return blocks.flatMap((block) => block.events ?? []).concat(recovered);
}

/**
 * Undoes a reorg: a deep one (orphaning confirmed blocks) retracts their events on `events.confirmed`
 * in one transaction with the checkpoint moved back to the ancestor; the PENDING events of orphaned
 * unconfirmed blocks are retracted on `events.pending` either way.
 */
export async function undoReorg(session: SessionContext, { orphaned, ancestor }: Reorg, head: BlockHeader) {
  const { tracker, publisher, logger, label, chainId } = session;
  const confirmedOrphans = orphaned.filter((block) => block.confirmed);
  const depth = orphaned.length;
  const kind = confirmedOrphans.length > 0 ? 'deep' : 'shallow';
  ingestMetrics.reorgs.inc({ ...label, depth: String(depth), kind });
  const details = {
    chain_id: chainId,
    depth,
    ancestor,
    orphaned_confirmed: confirmedOrphans.length,
    head: head.number,
  };
  if (kind === 'deep') {
    logger.error({ msg: 'Reorg deeper than confirmations: retracting confirmed events', ...details });
    const events = await confirmedEventsOf(session, confirmedOrphans);
    const ancestorBlock = tracker.blocks().find((block) => block.header.number === ancestor)!;
    const retractions = retractionsOf(events);
    // The children these blocks created are no longer followed: their logs were among the events.
    session.factories.unregister(events);
    await publisher.publishConfirmed({
      events: retractions,
      checkpoint: session.checkpointAt(ancestorBlock.header, head.number),
      children: session.factories.messagesOf(retractions),
    });
    ingestMetrics.confirmed.set(label, ancestor);
  } else {
    logger.warn({ msg: 'Reorg', ...details });
  }
  const pending = orphaned.filter((block) => !block.confirmed).flatMap((block) => block.events ?? []);
  session.factories.unregister(pending);
  await publisher.publishPending(pending.map((event): ChainEvent => ({ ...event, status: 'REMOVED' })));
}
