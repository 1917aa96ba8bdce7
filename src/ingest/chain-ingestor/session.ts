import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { type ChainEvent, ingestTransactionalId, type TopicNames } from '../../domain/index.ts';
import type { ResolvedChain } from '../../shared/config/index.ts';
import { RpcError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { runBackfill } from '../backfill/index.ts';
import { type ChainTracker, createChainTracker, type TrackedBlock } from '../chain-tracker/index.ts';
import type { IngestCheckpoint } from '../checkpoint/ingestCheckpoint.ts';
import { readCheckpoint } from '../checkpoint/readCheckpoint.ts';
import { createLogDecoder } from '../createLogDecoder.ts';
import { createHeadWatcher } from '../heads/index.ts';
import { readOrphanedEvents } from '../kafka-read/readOrphanedEvents.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import { ingestMetrics } from '../metrics.ts';
import type { Publisher } from '../publisher/index.ts';
import { createRangeSizer } from '../range-sizer/index.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { Rpc } from '../rpc/index.ts';
import type { BlockHeader } from '../rpc/types.ts';

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

const unknownHash = `0x${'0'.repeat(64)}` as const;

function seedFromCheckpoint(checkpoint: IngestCheckpoint): TrackedBlock[] {
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
 * One leadership session of a chain: fence older producers, read the checkpoint, backfill what is
 * final, then follow heads until `signal` aborts. Every publish is a Kafka transaction with the
 * checkpoint, so any failure is handled by starting a new session from the committed checkpoint.
 */
export async function runSession(parameters: RunSessionParameters): Promise<void> {
  const { chain, kafka, topics, topicPrefix, rpc, publisher, logger, options, memory, signal } = parameters;
  const chainId = chain.chainId;
  const label = { chain_id: String(chainId) };
  const confirmations = chain.confirmations;
  const addresses = chain.contracts.map((contract) => contract.address);
  const startOf = new Map(chain.contracts.map((contract) => [contract.address, contract.startBlock]));
  const decode = createLogDecoder({ chainId, contracts: chain.contracts });
  const groupBase = `${ingestTransactionalId(topicPrefix, chainId)}.read.${randomUUID()}`;
  const throwIfAborted = () => {
    if (signal.aborted) throw signal.reason;
  };

  await publisher.connect();
  throwIfAborted();
  const checkpoint = await readCheckpoint({
    kafka,
    topic: topics.checkpoints,
    chainId,
    groupId: `${groupBase}.cp`,
  });
  throwIfAborted();
  const tracker: ChainTracker = createChainTracker({
    windowSize: options.windowSize,
    getBlock: (n) => rpc.getBlock(n),
  });
  const minStart = Math.min(...chain.contracts.map((contract) => contract.startBlock));
  let checkpointCanonical = true;
  if (checkpoint) {
    const kept = memory.blocks;
    const last = kept?.[kept.length - 1];
    tracker.seed(last && last.header.hash === checkpoint.blockHash ? kept! : seedFromCheckpoint(checkpoint));
    const canonical = await rpc.getBlock(checkpoint.blockNumber);
    checkpointCanonical = canonical?.hash === checkpoint.blockHash;
    logger.info({
      msg: checkpointCanonical
        ? 'Resuming from checkpoint'
        : 'Checkpoint block is no longer canonical; undoing it',
      chain_id: chainId,
      block_number: checkpoint.blockNumber,
      block_hash: checkpoint.blockHash,
    });
  } else {
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
      throwIfAborted();
    }
    tracker.seed([{ header: base, confirmed: true, events: [] }]);
    logger.info({ msg: 'No checkpoint; starting from startBlock', chain_id: chainId, start_block: minStart });
  }

  const recentOf = (extra: BlockHeader[] = []) => {
    const headers = tracker
      .blocks()
      .filter((block) => block.confirmed)
      .map((block) => block.header)
      .concat(extra);
    return headers.slice(-options.windowSize).map((header) => ({ n: header.number, h: header.hash }));
  };
  const checkpointAt = (header: BlockHeader, head: number, extra: BlockHeader[] = []): IngestCheckpoint => ({
    v: 1,
    chainId,
    blockNumber: header.number,
    blockHash: header.hash,
    head,
    updatedAt: Date.now(),
    recent: recentOf(extra),
  });

  const firstHead = await rpc.getBlock('latest');
  if (!firstHead)
    throw new RpcError('The node returned no latest block', {
      code: rpcErrorCodes.transient,
      retriable: true,
    });
  const from = tracker.lastConfirmed()!.header.number + 1;
  const backfillTo = firstHead.number - confirmations - options.windowSize;
  if (checkpointCanonical && from <= backfillTo) {
    logger.info({ msg: 'Backfilling', chain_id: chainId, from_block: from, to_block: backfillTo });
    let last: BlockHeader | undefined;
    await runBackfill({
      chainId,
      rpc,
      fromBlock: from,
      toBlock: backfillTo,
      contracts: chain.contracts,
      decode,
      sizer: createRangeSizer({ max: chain.maxBlockRange, initial: Math.min(chain.maxBlockRange, 100) }),
      concurrency: options.backfillConcurrency,
      logger,
      signal,
      publish: async ({ events, last: header }) => {
        throwIfAborted();
        await publisher.publishConfirmed({
          events,
          checkpoint: {
            v: 1,
            chainId,
            blockNumber: header.number,
            blockHash: header.hash,
            head: firstHead.number,
            updatedAt: Date.now(),
          },
        });
        last = header;
        ingestMetrics.confirmed.set(label, header.number);
      },
    });
    tracker.seed([{ header: last!, confirmed: true, events: [] }]);
    memory.blocks = undefined;
  }

  logger.info({
    msg: 'Following heads',
    chain_id: chainId,
    confirmed_block: tracker.lastConfirmed()?.header.number,
    websocket: chain.rpc.ws !== undefined,
  });
  const heads = createHeadWatcher({
    chainId,
    wsUrl: chain.rpc.ws,
    pollIntervalMs: chain.pollIntervalMs,
    logger,
  });
  try {
    while (!signal.aborted) {
      try {
        await step();
      } catch (error) {
        // A block vanished between two calls: the chain moved, the next step resyncs.
        if ((error as RpcError).code !== rpcErrorCodes.blockNotFound) throw error;
        logger.debug({
          msg: 'Chain moved during a step; resyncing',
          chain_id: chainId,
          err: (error as Error).message,
        });
      }
      memory.blocks = tracker.blocks().filter((block) => block.confirmed);
      await heads.next(signal);
    }
  } finally {
    heads.stop();
  }

  async function logsOf(header: BlockHeader, status: 'PENDING' | 'CONFIRMED'): Promise<ChainEvent[]> {
    const logs = await rpc.getLogsByHash(header.hash, addresses);
    return logs
      .filter((log) => log.blockHash === header.hash && log.blockNumber >= (startOf.get(log.address) ?? 0))
      .sort((a, b) => a.logIndex - b.logIndex)
      .map((log) => decode(log, header.timestamp, status));
  }

  async function step(): Promise<void> {
    throwIfAborted();
    const head = await rpc.getBlock('latest');
    if (!head)
      throw new RpcError('The node returned no latest block', {
        code: rpcErrorCodes.transient,
        retriable: true,
      });
    heads.observe(head.number);
    logger.trace({ msg: 'Step', chain_id: chainId, head: head.number, websocket: heads.usingWebSocket() });
    const { orphaned, ancestor, added } = await tracker.sync(head);
    throwIfAborted();
    if (orphaned.length > 0) await undo(orphaned, ancestor!, head);
    // Set once the tracker holds this head (and any reorg leading to it was handled), so the gauge
    // never runs ahead of what the ingestor has actually taken in.
    ingestMetrics.head.set(label, head.number);

    if (confirmations > 0) {
      const fresh = added.filter((header) => header.number > head.number - confirmations);
      const perBlock = await mapWithConcurrency(fresh, 8, (header) => logsOf(header, 'PENDING'));
      const tracked = new Map(tracker.blocks().map((block) => [block.header.number, block]));
      for (const [i, header] of fresh.entries()) {
        const block = tracked.get(header.number);
        if (block) block.events = perBlock[i];
      }
      await publisher.publishPending(perBlock.flat());
    }

    const confirmable = tracker.confirmable(head.number, confirmations);
    for (let i = 0; i < confirmable.length; i += options.blocksPerTransaction) {
      throwIfAborted();
      const batch = confirmable.slice(i, i + options.blocksPerTransaction);
      const perBlock = await mapWithConcurrency(batch, 8, (block) => logsOf(block.header, 'CONFIRMED'));
      const lastHeader = batch[batch.length - 1]!.header;
      await publisher.publishConfirmed({
        events: perBlock.flat(),
        checkpoint: checkpointAt(
          lastHeader,
          head.number,
          batch.map((block) => block.header),
        ),
      });
      for (const [j, block] of batch.entries()) tracker.markConfirmed(block.header.number, perBlock[j]!);
      ingestMetrics.confirmed.set(label, lastHeader.number);
      logger.debug({
        msg: 'Confirmed blocks',
        chain_id: chainId,
        block_number: lastHeader.number,
        events: perBlock.flat().length,
      });
    }
    const lastConfirmed = tracker.lastConfirmed();
    if (lastConfirmed) ingestMetrics.lag.set(label, head.number - lastConfirmed.header.number);
  }

  async function undo(orphaned: TrackedBlock[], ancestor: number, head: BlockHeader): Promise<void> {
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
      const unknown = confirmedOrphans.filter((block) => block.events === undefined);
      const recovered =
        unknown.length > 0
          ? await readOrphanedEvents({
              kafka,
              topic: topics.confirmed,
              chainId,
              blockHashes: new Set(unknown.map((block) => block.header.hash)),
              groupId: `${groupBase}.orphans`,
            })
          : [];
      const events = confirmedOrphans
        .flatMap((block) => block.events ?? [])
        .concat(recovered)
        .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
      // Newest first: the processor undoes effects in the reverse order they were applied.
      const removed = events.reverse().map((event): ChainEvent => ({ ...event, status: 'REMOVED' }));
      const ancestorBlock = tracker.blocks().find((block) => block.header.number === ancestor)!;
      await publisher.publishConfirmed({
        events: removed,
        checkpoint: checkpointAt(ancestorBlock.header, head.number),
      });
      ingestMetrics.confirmed.set(label, ancestor);
    } else {
      logger.warn({ msg: 'Reorg', ...details });
    }
    const retracted = orphaned
      .filter((block) => !block.confirmed)
      .flatMap((block) => block.events ?? [])
      .map((event): ChainEvent => ({ ...event, status: 'REMOVED' }));
    await publisher.publishPending(retracted);
  }
}
