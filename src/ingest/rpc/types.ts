/** A block header as the ingestor needs it (numbers parsed from JSON-RPC hex). */
export type BlockHeader = {
  number: number;
  hash: `0x${string}`;
  parentHash: `0x${string}`;
  /** Unix seconds. */
  timestamp: number;
};

/** A log as returned by `eth_getLogs`, numbers parsed. */
export type RawLog = {
  address: `0x${string}`;
  topics: `0x${string}`[];
  data: `0x${string}`;
  blockNumber: number;
  blockHash: `0x${string}`;
  transactionHash: `0x${string}`;
  transactionIndex: number;
  logIndex: number;
  /** Some nodes include the block timestamp in logs; unix seconds. */
  blockTimestamp?: number | undefined;
};
