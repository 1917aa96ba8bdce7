import { runBackfill } from '../backfill/index.ts';
import { ingestMetrics } from '../metrics.ts';
import { createRangeSizer } from '../range-sizer/index.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { SessionContext } from './createSessionContext.ts';

/**
 * Publishes with ranged `eth_getLogs` the blocks below the realtime window (older than
 * `confirmations + windowSize` at `firstHead`), then reseeds the tracker at the last of them. Does
 * nothing when the tracker is already inside the window.
 */
export async function backfillFinalBlocks(session: SessionContext, firstHead: BlockHeader): Promise<void> {
  const { chain, chainId, tracker, rpc, publisher, options, logger, signal, label, memory } = session;
  const from = tracker.lastConfirmed()!.header.number + 1;
  const to = firstHead.number - chain.confirmations - options.windowSize;
  if (from > to) return;
  logger.info({ msg: 'Backfilling', chain_id: chainId, from_block: from, to_block: to });
  let last: BlockHeader | undefined;
  await runBackfill({
    chainId,
    rpc,
    fromBlock: from,
    toBlock: to,
    contracts: chain.contracts,
    decode: session.decode,
    sizer: createRangeSizer({ max: chain.maxBlockRange, initial: Math.min(chain.maxBlockRange, 100) }),
    concurrency: options.backfillConcurrency,
    logger,
    signal,
    factories: session.factories,
    publish: async ({ events, last: header, children }) => {
      session.throwIfAborted();
      await publisher.publishConfirmed({
        events,
        children,
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
