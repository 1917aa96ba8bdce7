import type { Kafka } from 'kafkajs';
import type { TopicNames } from '../../domain/index.ts';
import type { ResolvedChain } from '../../shared/config/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { TrackedBlock } from '../chain-tracker/index.ts';
import { readCheckpoint } from '../checkpoint/readCheckpoint.ts';
import type { Publisher } from '../publisher/index.ts';
import type { Rpc } from '../rpc/index.ts';
import { backfillFinalBlocks } from './backfillFinalBlocks.ts';
import { createSessionContext } from './createSessionContext.ts';
import { followHeads } from './followHeads.ts';
import { latestBlock } from './latestBlock.ts';
import { retractOrphanedPending } from './retractOrphanedPending.ts';
import { seedTracker } from './seedTracker.ts';

/** Tuning of a chain session. */
export type SessionOptions = {
  /** Confirmed headers kept for deep reorgs: max(2 x confirmations, 64) unless overridden. */
  windowSize: number;
  backfillConcurrency: number;
  /** Blocks confirmed per Kafka transaction in realtime. */
  blocksPerTransaction: number;
};

/** Parameters of {@link runSession}. */
export type RunSessionParameters = {
  chain: ResolvedChain;
  kafka: Kafka;
  topics: TopicNames;
  topicPrefix: string;
  rpc: Rpc;
  publisher: Publisher;
  logger: Logger;
  options: SessionOptions;
  /** Confirmed window kept from the previous session of this process (events known). */
  memory: { blocks: TrackedBlock[] | undefined };
  signal: AbortSignal;
};

/**
 * One leadership session of a chain: fence older producers, read the checkpoint, retract what an
 * earlier session announced as pending for blocks orphaned since, backfill what is final, then follow
 * heads until `signal` aborts. Every confirmed publish is a Kafka transaction with the checkpoint, so
 * any failure is handled by starting a new session from the committed checkpoint.
 */
export async function runSession(parameters: RunSessionParameters): Promise<void> {
  const session = createSessionContext(parameters);
  const { kafka, topics, chainId, publisher } = session;

  await publisher.connect();
  session.throwIfAborted();
  // The children are written in the same transactions as the checkpoint: both reads see the same
  // committed state, and run side by side.
  const [checkpoint] = await Promise.all([
    readCheckpoint({ kafka, topic: topics.checkpoints, chainId, groupId: session.groupId('cp') }),
    session.factories.load(kafka, topics.children, session.groupId('children')),
  ]);
  session.throwIfAborted();
  const { checkpointCanonical } = await seedTracker(session, checkpoint);
  await retractOrphanedPending(session, checkpoint?.blockNumber ?? -1);
  const firstHead = await latestBlock(session.rpc);
  // A checkpoint that is no longer canonical is undone by the first step's reorg handling instead.
  if (checkpointCanonical) await backfillFinalBlocks(session, firstHead);
  await followHeads(session);
}
