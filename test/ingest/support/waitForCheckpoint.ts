import type { Kafka } from 'kafkajs';
import { waitFor } from '../../../src/dev-stack/index.ts';
import type { IngestCheckpoint } from '../../../src/ingest/checkpoint/ingestCheckpoint.ts';
import { readCheckpoint } from '../../../src/ingest/checkpoint/readCheckpoint.ts';
import { randomId } from '../../support/random.ts';

/** Waits until the chain's committed checkpoint reaches `blockNumber` and returns it. */
export async function waitForCheckpoint(
  kafka: Kafka,
  topic: string,
  chainId: number,
  blockNumber: number,
  timeoutMs = 90_000,
): Promise<IngestCheckpoint> {
  return waitFor(
    async () => {
      const checkpoint = await readCheckpoint({ kafka, topic, chainId, groupId: randomId('ingest-test-cp') });
      return checkpoint && checkpoint.blockNumber >= blockNumber ? checkpoint : undefined;
    },
    { description: `checkpoint of chain ${chainId} at block ${blockNumber}`, timeoutMs, intervalMs: 500 },
  );
}
