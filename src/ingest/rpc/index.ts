import { createPublicClient, http } from 'viem';
import { RpcError } from '../../shared/errors/index.ts';
import type { Logger } from '../../shared/logger.ts';
import { withRetry } from '../../shared/retry.ts';
import { ingestMetrics } from '../metrics.ts';
import { classifyRpcError, rpcErrorCodes } from './classifyRpcError.ts';
import type { BlockHeader, RawLog } from './types.ts';

/** Parameters of {@link createRpc}. */
export type CreateRpcParameters = {
  chainId: number;
  httpUrl: string;
  logger: Logger;
  signal: AbortSignal;
  /** Per-request timeout in ms. Default 15 000. */
  timeoutMs?: number;
  /** Attempts of a retriable call before it fails. Default 8. */
  retries?: number;
};

/** Filter of a ranged `eth_getLogs`. */
export type GetLogsRangeParameters = {
  fromBlock: number;
  toBlock: number;
  /** Contracts whose logs are asked for; none with `selectors` asks for every contract's. */
  addresses: `0x${string}`[];
  /** Event selectors (topic0) the logs must have; any when left out. */
  selectors?: `0x${string}`[] | undefined;
};

/** The `address`/`topics` of an `eth_getLogs` filter. */
function logFilter(addresses: `0x${string}`[], selectors: `0x${string}`[] | undefined) {
  if (selectors === undefined) return { address: addresses };
  return addresses.length > 0 ? { address: addresses, topics: [selectors] } : { topics: [selectors] };
}

/** The JSON-RPC calls the ingestor makes, with metrics, error classification and retries. */
export type Rpc = {
  getBlock(block: number | 'latest'): Promise<BlockHeader | undefined>;
  /**
   * Headers of many blocks (absent when the node does not know a block): one JSON-RPC batch per
   * {@link headerBatchSize} blocks, or single calls, {@link headerConcurrency} at a time, when the
   * node refuses batches.
   */
  getBlocks(blocks: readonly number[]): Promise<Map<number, BlockHeader>>;
  /**
   * Ranged logs. Range refusals are thrown at once (code RPC_RANGE_TOO_LARGE) so the caller shrinks;
   * so is a timeout of a range of several blocks. A single block cannot shrink: its timeouts are
   * retried like any transient failure.
   */
  getLogsRange(parameters: GetLogsRangeParameters): Promise<RawLog[]>;
  /** Logs of one block by hash (reorg-safe). */
  getLogsByHash(
    blockHash: `0x${string}`,
    addresses: `0x${string}`[],
    selectors?: `0x${string}`[],
  ): Promise<RawLog[]>;
};

type HexBlock = { number: string; hash: `0x${string}`; parentHash: `0x${string}`; timestamp: string };
type HexLog = {
  address: `0x${string}`;
  topics: `0x${string}`[];
  data: `0x${string}`;
  blockNumber: string;
  blockHash: `0x${string}`;
  transactionHash: `0x${string}`;
  transactionIndex: string;
  logIndex: string;
  blockTimestamp?: string;
  removed?: boolean;
};

const toNumber = (hex: string): number => Number.parseInt(hex, 16);

function parseBlock(block: HexBlock): BlockHeader {
  return {
    number: toNumber(block.number),
    hash: block.hash.toLowerCase() as `0x${string}`,
    parentHash: block.parentHash.toLowerCase() as `0x${string}`,
    timestamp: toNumber(block.timestamp),
  };
}

function parseLog(log: HexLog): RawLog {
  return {
    address: log.address.toLowerCase() as `0x${string}`,
    topics: log.topics,
    data: log.data,
    blockNumber: toNumber(log.blockNumber),
    blockHash: log.blockHash.toLowerCase() as `0x${string}`,
    transactionHash: log.transactionHash,
    transactionIndex: toNumber(log.transactionIndex),
    logIndex: toNumber(log.logIndex),
    blockTimestamp: log.blockTimestamp ? toNumber(log.blockTimestamp) : undefined,
  };
}

const toHex = (value: number): string => `0x${value.toString(16)}`;

/** Headers asked for in one JSON-RPC batch (providers commonly accept 100 to 1,000). */
export const headerBatchSize = 50;
/** Single header calls in flight once batches are given up. */
export const headerConcurrency = 8;
/** Failed batches after which a session stops batching (a node that does not support them). */
const batchFailuresBeforeGivingUp = 3;

/** Creates the HTTP JSON-RPC client of one chain. */
export function createRpc({
  chainId,
  httpUrl,
  logger,
  signal,
  timeoutMs = 15_000,
  retries = 8,
}: CreateRpcParameters): Rpc {
  // viem's own retries are off: retries happen here, with jitter, metrics and error classification.
  const client = createPublicClient({ transport: http(httpUrl, { retryCount: 0, timeout: timeoutMs }) });
  // Calls made in the same tick through this client go out as one JSON-RPC batch.
  const batchClient = createPublicClient({
    transport: http(httpUrl, { retryCount: 0, timeout: timeoutMs, batch: { batchSize: headerBatchSize } }),
  });
  let batchFailures = 0;
  const chain = String(chainId);

  /**
   * `ranged`: range refusals are thrown at once so the caller shrinks the range; `shrinkable`: so are
   * timeouts (a range of one block is ranged but not shrinkable, and its timeouts are retried).
   * `batched`: sent in the JSON-RPC batch of its tick, and not retried (the caller falls back).
   */
  async function call<T>(
    method: string,
    params: unknown[],
    {
      ranged = false,
      shrinkable = ranged,
      batched = false,
    }: { ranged?: boolean; shrinkable?: boolean; batched?: boolean } = {},
  ): Promise<T> {
    const retryRangeErrors = !ranged;
    return withRetry(
      async () => {
        ingestMetrics.rpcCalls.inc({ chain_id: chain, method });
        try {
          return (await (batched ? batchClient : client).request({ method, params } as never)) as T;
        } catch (error) {
          let classified = classifyRpcError(error, method);
          if (
            shrinkable &&
            classified.code === rpcErrorCodes.transient &&
            /timed? ?out|took too long/i.test(classified.message)
          ) {
            classified = new RpcError(classified.message, {
              code: rpcErrorCodes.rangeTooLarge,
              retriable: true,
              cause: classified.cause,
            });
          }
          ingestMetrics.rpcErrors.inc({ chain_id: chain, method, kind: classified.code });
          throw classified;
        }
      },
      {
        retries: batched ? 1 : retries,
        initialDelayMs: 200,
        maxDelayMs: 5_000,
        signal,
        shouldRetry: (error) => {
          const code = (error as { code?: string }).code;
          if (code === rpcErrorCodes.rangeTooLarge) return retryRangeErrors;
          return code === rpcErrorCodes.transient;
        },
        onRetry: (error, attempt, delayMs) =>
          logger.warn({
            msg: 'Retrying RPC call',
            method,
            attempt,
            delay_ms: delayMs,
            err: (error as Error).message,
          }),
      },
    );
  }

  return {
    async getBlock(block) {
      const tag = block === 'latest' ? 'latest' : toHex(block);
      const result = await call<HexBlock | null>('eth_getBlockByNumber', [tag, false]);
      return result ? parseBlock(result) : undefined;
    },
    async getBlocks(blocks) {
      const headers = new Map<number, BlockHeader>();
      const add = (result: HexBlock | null) => {
        if (!result) return;
        const header = parseBlock(result);
        headers.set(header.number, header);
      };
      let rest: readonly number[] = blocks;
      if (blocks.length > 1 && batchFailures < batchFailuresBeforeGivingUp) {
        const results = await Promise.allSettled(
          blocks.map((n) =>
            call<HexBlock | null>('eth_getBlockByNumber', [toHex(n), false], { batched: true }),
          ),
        );
        const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [blocks[i]!] : []));
        for (const result of results) if (result.status === 'fulfilled') add(result.value);
        if (failed.length > 0) {
          batchFailures++;
          const reason = results.find((result) => result.status === 'rejected')?.reason as Error;
          logger.debug({
            msg: 'JSON-RPC batch of headers failed; asking for them one by one',
            blocks: failed.length,
            err: reason?.message,
          });
          if (batchFailures === batchFailuresBeforeGivingUp)
            logger.info({ msg: 'The node refuses JSON-RPC batches; headers are fetched one by one' });
        }
        rest = failed;
      }
      for (let i = 0; i < rest.length; i += headerConcurrency) {
        const chunk = rest.slice(i, i + headerConcurrency);
        const results = await Promise.all(
          chunk.map((n) => call<HexBlock | null>('eth_getBlockByNumber', [toHex(n), false])),
        );
        for (const result of results) add(result);
      }
      return headers;
    },
    async getLogsRange({ fromBlock, toBlock, addresses, selectors }) {
      const result = await call<HexLog[]>(
        'eth_getLogs',
        [{ fromBlock: toHex(fromBlock), toBlock: toHex(toBlock), ...logFilter(addresses, selectors) }],
        { ranged: true, shrinkable: toBlock > fromBlock },
      );
      return result.map(parseLog);
    },
    async getLogsByHash(blockHash, addresses, selectors) {
      const result = await call<HexLog[]>('eth_getLogs', [{ blockHash, ...logFilter(addresses, selectors) }]);
      return result.map(parseLog);
    },
  };
}
