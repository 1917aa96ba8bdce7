/** Lifecycle of an event as it travels through blockwire. */
export type EventStatus = 'PENDING' | 'CONFIRMED' | 'REMOVED';

/** JSON value as stored in messages: uint/int values are decimal strings, never numbers. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Current version of the event message format (`v`). */
export const eventMessageVersion = 1;

/**
 * One contract log as published to Kafka and fanned out to subscribers.
 *
 * Invariants: `id` is `<chainId>:<blockHash>:<logIndex>` (lower-case hash); `address` is lower-case;
 * decoded `args` hold integers as decimal strings so uint256 never loses precision.
 */
export type ChainEvent = {
  v: typeof eventMessageVersion;
  id: string;
  status: EventStatus;
  chainId: number;
  blockNumber: number;
  blockHash: `0x${string}`;
  /** Unix seconds. */
  blockTimestamp: number;
  transactionHash: `0x${string}`;
  transactionIndex: number;
  logIndex: number;
  address: `0x${string}`;
  /** Event name from the ABI, or null when the log did not decode. */
  eventName: string | null;
  /** Canonical signature such as `Transfer(address,address,uint256)`, or null when not decoded. */
  signature: string | null;
  decoded: boolean;
  args: Record<string, JsonValue>;
  topics: `0x${string}`[];
  data: `0x${string}`;
  /** For a contract created by a factory: the template (config entry name) it is followed under. */
  template?: string;
};

/** Per-chain checkpoint record written to `<prefix>.checkpoints` in the same transaction as its block. */
export type Checkpoint = {
  v: typeof eventMessageVersion;
  chainId: number;
  /** Last block whose events are on `events.confirmed`. */
  blockNumber: number;
  blockHash: `0x${string}`;
  /** Latest head seen by the ingestor when the checkpoint was written. */
  head: number;
  /** Unix milliseconds. */
  updatedAt: number;
};
