import type { ChainEvent } from '../../domain/index.ts';
import type { RpcError } from '../../shared/errors/index.ts';
import type { TrackedBlock } from '../chain-tracker/index.ts';
import { createHeadWatcher, type HeadWatcher } from '../heads/index.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import { ingestMetrics } from '../metrics.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { SessionContext } from './createSessionContext.ts';
import { latestBlock } from './latestBlock.ts';
import { undoReorg } from './undoReorg.ts';

/** The contracts' logs of one block, in log order, decoded with `status`. */
async function logsOf(
  session: SessionContext,
  header: BlockHeader,
  status: 'PENDING' | 'CONFIRMED',
): Promise<ChainEvent[]> {
  const { chain, rpc } = session;
  const addresses = chain.contracts.map((contract) => contract.address);
  const startOf = new Map(chain.contracts.map((contract) => [contract.address, contract.startBlock]));
  const logs = await rpc.getLogsByHash(header.hash, addresses);
  return logs
    .filter((log) => log.blockHash === header.hash && log.blockNumber >= (startOf.get(log.address) ?? 0))
    .sort((a, b) => a.logIndex - b.logIndex)
    .map((log) => session.decode(log, header.timestamp, status));
}

/**
 * Announces the new blocks still within `confirmations` of the head as PENDING, and remembers on the
 * tracked blocks what was announced so a later reorg can retract it.
 */
async function announcePending(session: SessionContext, added: BlockHeader[], head: BlockHeader) {
  const { tracker, publisher } = session;
  const fresh = added.filter((header) => header.number > head.number - session.chain.confirmations);
  const perBlock = await mapWithConcurrency(fresh, 8, (header) => logsOf(session, header, 'PENDING'));
  const tracked = new Map(tracker.blocks().map((block) => [block.header.number, block]));
  for (const [i, header] of fresh.entries()) {
    const block = tracked.get(header.number);
    if (block) block.events = perBlock[i];
  }
  await publisher.publishPending(perBlock.flat());
}

/**
 * Publishes the blocks `confirmations` deep as CONFIRMED, `blocksPerTransaction` blocks per Kafka
 * transaction with the checkpoint at the last of them, and marks them confirmed in the tracker.
 */
async function confirmBlocks(session: SessionContext, head: BlockHeader) {
  const { tracker, publisher, options, logger, label, chainId } = session;
  const confirmable = tracker.confirmable(head.number, session.chain.confirmations);
  for (let i = 0; i < confirmable.length; i += options.blocksPerTransaction) {
    session.throwIfAborted();
    const batch: TrackedBlock[] = confirmable.slice(i, i + options.blocksPerTransaction);
    const perBlock = await mapWithConcurrency(batch, 8, (block) =>
      logsOf(session, block.header, 'CONFIRMED'),
    );
    const lastHeader = batch[batch.length - 1]!.header;
    await publisher.publishConfirmed({
      events: perBlock.flat(),
      checkpoint: session.checkpointAt(
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
}

/** One step: sync with the latest head (undoing a reorg), announce new blocks, confirm deep ones. */
async function step(session: SessionContext, heads: HeadWatcher): Promise<void> {
  const { tracker, logger, label, chainId } = session;
  session.throwIfAborted();
  const head = await latestBlock(session.rpc);
  heads.observe(head.number);
  logger.trace({ msg: 'Step', chain_id: chainId, head: head.number, websocket: heads.usingWebSocket() });
  const { orphaned, ancestor, added } = await tracker.sync(head);
  session.throwIfAborted();
  if (orphaned.length > 0) await undoReorg(session, { orphaned, ancestor: ancestor! }, head);
  // Set once the tracker holds this head (and any reorg leading to it was handled), so the gauge
  // never runs ahead of what the ingestor has actually taken in.
  ingestMetrics.head.set(label, head.number);
  if (session.chain.confirmations > 0) await announcePending(session, added, head);
  await confirmBlocks(session, head);
  const lastConfirmed = tracker.lastConfirmed();
  if (lastConfirmed) ingestMetrics.lag.set(label, head.number - lastConfirmed.header.number);
}

/** Follows the chain head by head until the session's signal aborts. */
export async function followHeads(session: SessionContext): Promise<void> {
  const { chain, chainId, tracker, memory, logger, signal } = session;
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
        await step(session, heads);
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
}
