import type { ChainEvent } from '../../domain/index.ts';
import type { RpcError } from '../../shared/errors/index.ts';
import type { TrackedBlock } from '../chain-tracker/index.ts';
import type { LogFilter } from '../factory/planLogFilters.ts';
import { createHeadWatcher, type HeadWatcher } from '../heads/index.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import { ingestMetrics } from '../metrics.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { SessionContext } from './createSessionContext.ts';
import { latestBlock } from './latestBlock.ts';
import { undoReorg } from './undoReorg.ts';

/**
 * The followed logs of each block, in log order, decoded with `status`. The blocks' logs of the
 * configured contracts and of the children known so far are fetched together; then, in block order,
 * the children the blocks' factories create are followed, and their logs in those blocks fetched too
 * (a child logs from its creation block on, constructor logs included).
 */
async function logsOfBlocks(
  session: SessionContext,
  headers: readonly BlockHeader[],
  status: 'PENDING' | 'CONFIRMED',
): Promise<ChainEvent[][]> {
  const { rpc, factories } = session;
  const fetch = async (header: BlockHeader, filters: LogFilter[]) => {
    const perFilter = await Promise.all(
      filters.map((filter) =>
        filter.kind === 'addresses'
          ? rpc.getLogsByHash(header.hash, filter.addresses)
          : // Every contract's logs of the children's events: the configured ones come by address.
            rpc
              .getLogsByHash(header.hash, [], filter.selectors)
              .then((found) => found.filter((log) => !factories.isConfigured(log.address))),
      ),
    );
    return perFilter.flat().filter((log) => log.blockHash === header.hash && factories.keeps(log));
  };
  const known = (header: BlockHeader): LogFilter[] => [
    { kind: 'addresses', addresses: factories.staticAddresses },
    ...factories.childFilters(header.number),
  ];
  const asked = (filters: LogFilter[]) => {
    const addresses = new Set<string>();
    for (const filter of filters) {
      if (filter.kind === 'topics') return undefined;
      for (const address of filter.addresses) addresses.add(address);
    }
    return addresses;
  };
  const filtersOf = headers.map(known);
  const indexes = headers.map((_, i) => i);
  const logs = await mapWithConcurrency(indexes, 8, (i) => fetch(headers[i]!, filtersOf[i]!));
  if (factories.active) {
    // Children created in these blocks, followed in chain order; then their logs of these blocks.
    for (const [i, header] of headers.entries()) {
      const creations = logs[i]!.filter((log) => factories.isFactory(log.address)).sort(
        (a, b) => a.logIndex - b.logIndex,
      );
      factories.register(creations.map((log) => session.decode(log, header.timestamp, status)));
    }
    const more = await mapWithConcurrency(indexes, 8, (i) => {
      const seen = asked(filtersOf[i]!);
      if (seen === undefined) return Promise.resolve([]);
      return fetch(headers[i]!, factories.childFilters(headers[i]!.number, seen));
    });
    for (const [i, extra] of more.entries()) logs[i]!.push(...extra);
  }
  return headers.map((header, i) =>
    logs[i]!.sort((a, b) => a.logIndex - b.logIndex).map((log) =>
      session.decode(log, header.timestamp, status),
    ),
  );
}

/**
 * Announces the new blocks still within `confirmations` of the head as PENDING, and remembers on the
 * tracked blocks what was announced so a later reorg can retract it.
 */
async function announcePending(session: SessionContext, added: BlockHeader[], head: BlockHeader) {
  const { tracker, publisher } = session;
  const fresh = added.filter((header) => header.number > head.number - session.chain.confirmations);
  const perBlock = await logsOfBlocks(session, fresh, 'PENDING');
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
    const perBlock = await logsOfBlocks(
      session,
      batch.map((block) => block.header),
      'CONFIRMED',
    );
    const lastHeader = batch[batch.length - 1]!.header;
    const events = perBlock.flat();
    await publisher.publishConfirmed({
      events,
      children: session.factories.messagesOf(events),
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
