import { RpcError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { createLimiter } from '../createLimiter.ts';
import type { LogDecoder } from '../createLogDecoder.ts';
import type { ChildMessage, FactoryFollower } from '../factory/createFactoryFollower.ts';
import type { LogFilter } from '../factory/planLogFilters.ts';
import { mapWithConcurrency } from '../mapWithConcurrency.ts';
import { ingestMetrics } from '../metrics.ts';
import { type EncodedEvent, encodeForBackfill } from '../publisher/index.ts';
import type { RangeSizer } from '../range-sizer/index.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { Rpc } from '../rpc/index.ts';
import type { BlockHeader, RawLog } from '../rpc/types.ts';
import { createProgress } from './createProgress.ts';

/** One published backfill range: its events in chain order and the header of its last block. */
export type BackfillChunk = {
  events: EncodedEvent[];
  last: BlockHeader;
  /** Records of the children topic for the children these blocks' factories created. */
  children: ChildMessage[];
};

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
  /**
   * Events per Kafka transaction before a range is cut at a block boundary, and most events that
   * ranges which arrived together are joined up to. Default 20,000.
   */
  maxEventsPerTransaction?: number;
  /**
   * The chain's factories: the children they create are followed from their creation block. A
   * range's child logs are asked for once every earlier range's creations are known.
   */
  factories?: FactoryFollower | undefined;
};

/** A child record with the block of its creation, so a range cut in several transactions sends it with its block. */
type CreatedChild = { blockNumber: number; message: ChildMessage };
type RangeResult = { events: EncodedEvent[]; headers: Map<number, BlockHeader>; children: CreatedChild[] };

/**
 * Publishes the logs of [fromBlock, toBlock] (already final) with ranged `eth_getLogs`: ranges are
 * fetched concurrently with an adaptive size and published one after another in chain order.
 */
export async function runBackfill(parameters: RunBackfillParameters): Promise<void> {
  const { chainId, rpc, fromBlock, toBlock, contracts, decode, sizer, concurrency, publish, logger, signal } =
    parameters;
  const maxEventsPerTransaction = parameters.maxEventsPerTransaction ?? 20_000;
  const addresses = contracts.map((contract) => contract.address);
  const startOf = new Map(contracts.map((contract) => [contract.address.toLowerCase(), contract.startBlock]));
  const progress = createProgress({ chainId, fromBlock, toBlock, logger });
  const chain = String(chainId);
  // One budget of `eth_getLogs` in flight for the whole backfill: the pieces of a refused range wait
  // for it like every other range, so splits under a slow node do not multiply the requests on it.
  const limitLogs = createLimiter(concurrency);

  const byAddresses: LogFilter = { kind: 'addresses', addresses };
  async function fetchLogs(from: number, to: number, filter: LogFilter = byAddresses): Promise<RawLog[]> {
    if (signal.aborted) throw signal.reason;
    try {
      const logs = await limitLogs(() =>
        filter.kind === 'addresses'
          ? rpc.getLogsRange({ fromBlock: from, toBlock: to, addresses: filter.addresses })
          : rpc.getLogsRange({ fromBlock: from, toBlock: to, addresses: [], selectors: filter.selectors }),
      );
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
      const results = await mapWithConcurrency(pieces, concurrency, ([start, end]) =>
        fetchLogs(start, end, filter),
      );
      return results.flat();
    }
  }

  /**
   * Follows the children a range's own logs create, once `earlier` (every earlier range's creations
   * followed) resolves, then calls `followed`. Returns their children topic records.
   */
  async function followCreations(
    factories: FactoryFollower,
    own: RawLog[],
    earlier: Promise<void>,
    followed: () => void,
  ): Promise<CreatedChild[]> {
    await earlier;
    // Decoded for their child address only; the events published are decoded with their timestamp.
    const creations = own
      .filter((log) => factories.isFactory(log.address))
      .map((log) => factories.decode(log, 0, 'CONFIRMED'));
    factories.register(creations);
    followed();
    return creations.flatMap((event) =>
      factories.messagesOf([event]).map((message) => ({ blockNumber: event.blockNumber, message })),
    );
  }

  async function fetchRange(
    from: number,
    to: number,
    earlier: Promise<void>,
    followed: () => void,
  ): Promise<RangeResult> {
    const factories = parameters.factories?.active ? parameters.factories : undefined;
    let logs: RawLog[];
    let children: CreatedChild[] = [];
    if (factories === undefined) {
      logs = (await fetchLogs(from, to)).filter((log) => log.blockNumber >= (startOf.get(log.address) ?? 0));
    } else {
      const own = (await fetchLogs(from, to)).filter((log) => factories.keeps(log));
      own.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
      children = await followCreations(factories, own, earlier, followed);
      const perFilter = await Promise.all(
        factories
          .childFilters(to)
          .map((filter) =>
            fetchLogs(from, to, filter).then((found) =>
              found.filter((log) => !factories.isConfigured(log.address) && factories.keeps(log)),
            ),
          ),
      );
      logs = own.concat(...perFilter);
    }
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
    // held as one buffer per event, outside the heap.
    const decodeLog = factories?.decode ?? decode;
    const events = logs.map((log) =>
      encodeForBackfill(
        decodeLog(log, log.blockTimestamp ?? headers.get(log.blockNumber)!.timestamp, 'CONFIRMED'),
      ),
    );
    return { events, headers, children };
  }

  // `arrived` is set once a range's result is in: the ranges that arrived while an earlier one was
  // published join the next transaction.
  const queue: { to: number; result: Promise<RangeResult>; arrived?: RangeResult }[] = [];
  // Resolves once every range fetched so far has its creations followed (rejects with the first failure).
  let followedSoFar: Promise<void> = Promise.resolve();
  const emptyCheckpointMs = 1_000;
  let lastPublishAt = performance.now();
  let next = fromBlock;
  let failure: unknown;
  try {
    const fill = () => {
      while (queue.length < concurrency && next <= toBlock) {
        const from = next;
        const to = Math.min(toBlock, from + sizer.size() - 1);
        let followed!: () => void;
        const own = new Promise<void>((resolve) => {
          followed = resolve;
        });
        const result = fetchRange(from, to, followedSoFar, followed);
        // A range that fails before following its creations fails the ranges after it too.
        followedSoFar = Promise.race([own, result.then(() => {})]);
        // Rejections are observed when the range reaches the head of the queue.
        result.catch(() => {});
        followedSoFar.catch(() => {});
        const entry: (typeof queue)[number] = { to, result };
        result.then(
          (value) => {
            entry.arrived = value;
          },
          () => {},
        );
        queue.push(entry);
        next = to + 1;
      }
    };
    while (next <= toBlock || queue.length > 0) {
      fill();
      const entry = queue.shift()!;
      // `concurrency` ranges stay in flight while this one is published.
      fill();
      let { events, headers, children } = await entry.result;
      let to = entry.to;
      // Ranges that already arrived join this one: when Kafka is the bottleneck they pile up, and fewer,
      // larger transactions cost less per event (each transaction has a fixed cost of round trips to
      // the coordinator, whatever it holds).
      let joined = queue[0]?.arrived;
      while (joined && events.length + joined.events.length <= maxEventsPerTransaction) {
        events = events.concat(joined.events);
        headers = new Map([...headers, ...joined.headers]);
        children = children.concat(joined.children);
        to = queue.shift()!.to;
        fill();
        joined = queue[0]?.arrived;
      }
      let sentChildren = 0;
      const childrenUpTo = (block: number) => {
        const start = sentChildren;
        while (sentChildren < children.length && children[sentChildren]!.blockNumber <= block) sentChildren++;
        return children.slice(start, sentChildren).map((child) => child.message);
      };
      // Large ranges become several transactions, cut at block boundaries (checkpoint = that block).
      let start = 0;
      while (start < events.length) {
        let end = Math.min(events.length, start + maxEventsPerTransaction);
        while (end < events.length && events[end]!.blockNumber === events[end - 1]!.blockNumber) end++;
        if (end === events.length) break;
        const last = headers.get(events[end - 1]!.blockNumber)!;
        await publish({ events: events.slice(start, end), last, children: childrenUpTo(last.number) });
        lastPublishAt = performance.now();
        progress.advance(last.number, end - start);
        start = end;
      }
      // Empty ranges are not worth a transaction each: the next checkpoint covers them.
      const isLast = next > toBlock && queue.length === 0;
      if (start < events.length || isLast || performance.now() - lastPublishAt > emptyCheckpointMs) {
        await publish({
          events: events.slice(start),
          last: headers.get(to)!,
          children: childrenUpTo(to),
        });
        lastPublishAt = performance.now();
      }
      progress.advance(to, events.length - start);
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    progress.finish(failure);
  }
}
