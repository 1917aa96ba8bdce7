import { RpcError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { createLimiter } from '../createLimiter.ts';
import type { LogDecoder } from '../createLogDecoder.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import { ingestMetrics } from '../metrics.ts';
import { type EncodedEvent, encodeForKafka } from '../publisher/index.ts';
import type { RangeSizer } from '../range-sizer/index.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { Rpc } from '../rpc/index.ts';
import type { BlockHeader, RawLog } from '../rpc/types.ts';
import { createProgress } from './createProgress.ts';

/** One published backfill range: its events in chain order and the header of its last block. */
export type BackfillChunk = { events: EncodedEvent[]; last: BlockHeader };

/** Parameters of {@link runBackfill}. */
export type RunBackfillParameters = {
  chainId: number;
  rpc: Rpc;
  fromBlock: number;
  toBlock: number;
  /** Tracked contracts; logs below a contract's `startBlock` are skipped. */
  contracts: { address: `0x${string}`; startBlock: number }[];
  decode: LogDecoder;
  sizer: RangeSizer;
  /** Ranges fetched at the same time. */
  concurrency: number;
  /** Publishes one range (events + checkpoint at `last`); called strictly in chain order. */
  publish: (chunk: BackfillChunk) => Promise<void>;
  logger: Logger;
  signal: AbortSignal;
  /** Events per Kafka transaction before a range is cut at a block boundary. Default 5000. */
  maxEventsPerTransaction?: number;
};

type RangeResult = { events: EncodedEvent[]; headers: Map<number, BlockHeader> };

/**
 * Publishes the logs of [fromBlock, toBlock] (already final) with ranged `eth_getLogs`: ranges are
 * fetched concurrently with an adaptive size and published one after another in chain order.
 */
export async function runBackfill(parameters: RunBackfillParameters): Promise<void> {
  const { chainId, rpc, fromBlock, toBlock, contracts, decode, sizer, concurrency, publish, logger, signal } =
    parameters;
  const maxEventsPerTransaction = parameters.maxEventsPerTransaction ?? 5_000;
  const addresses = contracts.map((contract) => contract.address);
  const startOf = new Map(contracts.map((contract) => [contract.address.toLowerCase(), contract.startBlock]));
  const progress = createProgress({ chainId, fromBlock, toBlock, logger });
  const chain = String(chainId);
  // One budget of `eth_getLogs` in flight for the whole backfill: the pieces of a refused range wait
  // for it like every other range, so splits under a slow node do not multiply the requests on it.
  const limitLogs = createLimiter(concurrency);

  async function fetchLogs(from: number, to: number): Promise<RawLog[]> {
    if (signal.aborted) throw signal.reason;
    try {
      const logs = await limitLogs(() => rpc.getLogsRange({ fromBlock: from, toBlock: to, addresses }));
      sizer.succeeded(to - from + 1);
      ingestMetrics.backfillRange.set({ chain_id: chain }, sizer.size());
      return logs;
    } catch (error) {
      if ((error as RpcError).code !== rpcErrorCodes.rangeTooLarge) throw error;
      if (from === to) {
        throw new RpcError(`eth_getLogs refuses even the single block ${from}; cannot backfill it`, {
          code: rpcErrorCodes.fatal,
          cause: error,
        });
      }
      sizer.refused(to - from + 1);
      ingestMetrics.backfillRange.set({ chain_id: chain }, sizer.size());
      logger.debug({
        msg: 'Shrinking eth_getLogs range',
        from_block: from,
        to_block: to,
        range: sizer.size(),
      });
      // Split the refused range itself so the result still covers exactly [from, to]; the pieces
      // are fetched concurrently (each may shrink further).
      const size = Math.max(1, Math.min(sizer.size(), Math.ceil((to - from + 1) / 2)));
      const pieces: [number, number][] = [];
      for (let start = from; start <= to; start += size) pieces.push([start, Math.min(to, start + size - 1)]);
      const results = await mapWithConcurrency(pieces, concurrency, ([start, end]) => fetchLogs(start, end));
      return results.flat();
    }
  }

  async function fetchRange(from: number, to: number): Promise<RangeResult> {
    const logs = (await fetchLogs(from, to)).filter(
      (log) => log.blockNumber >= (startOf.get(log.address) ?? 0),
    );
    logs.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    const needed = new Set<number>([to]);
    for (const log of logs) if (log.blockTimestamp === undefined) needed.add(log.blockNumber);
    const numbers = [...needed];
    const headers = await rpc.getBlocks(numbers);
    for (const n of numbers) {
      if (!headers.has(n))
        throw new RpcError(`Block ${n} is missing during backfill`, {
          code: rpcErrorCodes.blockNotFound,
          retriable: true,
        });
    }
    for (const log of logs) {
      const header = headers.get(log.blockNumber);
      if (header && header.hash !== log.blockHash) {
        throw new RpcError(
          `Block ${log.blockNumber} changed during backfill (reorg below the confirmed head)`,
          {
            code: rpcErrorCodes.blockNotFound,
            retriable: true,
          },
        );
      }
    }
    // Decoded and encoded here, as each range arrives, rather than when it is published: the work
    // overlaps with the Kafka transactions of earlier ranges, and a range waiting for its turn is
    // held as one string per event.
    const events = logs.map((log) =>
      encodeForKafka(decode(log, log.blockTimestamp ?? headers.get(log.blockNumber)!.timestamp, 'CONFIRMED')),
    );
    return { events, headers };
  }

  const queue: { to: number; result: Promise<RangeResult> }[] = [];
  const emptyCheckpointMs = 1_000;
  let lastPublishAt = performance.now();
  let next = fromBlock;
  let failure: unknown;
  try {
    const fill = () => {
      while (queue.length < concurrency && next <= toBlock) {
        const from = next;
        const to = Math.min(toBlock, from + sizer.size() - 1);
        const result = fetchRange(from, to);
        // Rejections are observed when the range reaches the head of the queue.
        result.catch(() => {});
        queue.push({ to, result });
        next = to + 1;
      }
    };
    while (next <= toBlock || queue.length > 0) {
      fill();
      const entry = queue.shift()!;
      // `concurrency` ranges stay in flight while this one is published.
      fill();
      const { events, headers } = await entry.result;
      // Large ranges become several transactions, cut at block boundaries (checkpoint = that block).
      let start = 0;
      while (start < events.length) {
        let end = Math.min(events.length, start + maxEventsPerTransaction);
        while (end < events.length && events[end]!.blockNumber === events[end - 1]!.blockNumber) end++;
        if (end === events.length) break;
        const last = headers.get(events[end - 1]!.blockNumber)!;
        await publish({ events: events.slice(start, end), last });
        lastPublishAt = performance.now();
        progress.advance(last.number, end - start);
        start = end;
      }
      // Empty ranges are not worth a transaction each: the next checkpoint covers them.
      const isLast = next > toBlock && queue.length === 0;
      if (start < events.length || isLast || performance.now() - lastPublishAt > emptyCheckpointMs) {
        await publish({ events: events.slice(start), last: headers.get(entry.to)! });
        lastPublishAt = performance.now();
      }
      progress.advance(entry.to, events.length - start);
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    progress.finish(failure);
  }
}
