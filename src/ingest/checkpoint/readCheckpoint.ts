import type { Kafka } from 'kafkajs';
import { checkpointKey } from '../../domain/index.ts';
import { consumeToEnd } from '../kafka-read/consumeToEnd.ts';
import { decodeIngestCheckpoint, type IngestCheckpoint } from './ingestCheckpoint.ts';

/** Parameters of {@link readCheckpoint}. */
export type ReadCheckpointParameters = { kafka: Kafka; topic: string; chainId: number; groupId: string };

/** Reads the chain's last committed checkpoint from the compacted checkpoints topic (read_committed). */
export async function readCheckpoint({
  kafka,
  topic,
  chainId,
  groupId,
}: ReadCheckpointParameters): Promise<IngestCheckpoint | undefined> {
  const key = checkpointKey(chainId);
  let latest: IngestCheckpoint | undefined;
  await consumeToEnd({
    kafka,
    topic,
    groupId,
    onMessage: (message) => {
      if (message.key?.toString('utf8') !== key || !message.value) return;
      const checkpoint = decodeIngestCheckpoint(message.value);
      if (checkpoint?.chainId === chainId) latest = checkpoint;
    },
  });
  return latest;
}
