import type { Kafka } from 'kafkajs';
import { type ChainEvent, decodeEvent } from '../../domain/index.ts';
import { consumeToEnd } from './consumeToEnd.ts';

/** Parameters of {@link readOutstandingPending}. */
export type ReadOutstandingPendingParameters = {
  kafka: Kafka;
  /** The `events.pending` topic. */
  topic: string;
  chainId: number;
  /** Only events of blocks above this number are returned (the checkpoint's block). */
  afterBlock: number;
  groupId: string;
};

/**
 * The PENDING events of a chain's blocks above `afterBlock` that `events.pending` announced and did
 * not retract since (no later REMOVED of the same id), in chain order. A PENDING and its REMOVED have
 * the same key, so they are in one partition and their order there is the order they were published.
 */
export async function readOutstandingPending({
  kafka,
  topic,
  chainId,
  afterBlock,
  groupId,
}: ReadOutstandingPendingParameters): Promise<ChainEvent[]> {
  const outstanding = new Map<string, ChainEvent>();
  await consumeToEnd({
    kafka,
    topic,
    groupId,
    onMessage: (message) => {
      const decoded = decodeEvent(message.value);
      if (!decoded.ok) return;
      const event = decoded.value;
      if (event.chainId !== chainId || event.blockNumber <= afterBlock) return;
      if (event.status === 'PENDING') outstanding.set(event.id, event);
      else if (event.status === 'REMOVED') outstanding.delete(event.id);
    },
  });
  return [...outstanding.values()].sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}
