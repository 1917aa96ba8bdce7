import type { Kafka } from 'kafkajs';
import { type ChainEvent, decodeEventRecord } from '../../domain/index.ts';
import { consumeToEnd } from './consumeToEnd.ts';

/** Parameters of {@link readOrphanedEvents}. */
export type ReadOrphanedEventsParameters = {
  kafka: Kafka;
  topic: string;
  chainId: number;
  /** Hashes of the orphaned confirmed blocks. */
  blockHashes: Set<string>;
  groupId: string;
};

/**
 * Recovers the confirmed events of orphaned blocks from `events.confirmed` when they are not in
 * memory (deep reorg across a restart). Events already retracted by a later REMOVED are left out.
 * Returns them in chain order.
 */
export async function readOrphanedEvents({
  kafka,
  topic,
  chainId,
  blockHashes,
  groupId,
}: ReadOrphanedEventsParameters): Promise<ChainEvent[]> {
  const live = new Map<string, ChainEvent>();
  await consumeToEnd({
    kafka,
    topic,
    groupId,
    onMessage: (message) => {
      const decoded = decodeEventRecord(message.value);
      if (!decoded.ok) return;
      for (const event of decoded.value) {
        if (event.chainId !== chainId || !blockHashes.has(event.blockHash)) continue;
        if (event.status === 'CONFIRMED') live.set(event.id, event);
        else if (event.status === 'REMOVED') live.delete(event.id);
      }
    },
  });
  return [...live.values()].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}
