import type { Cursor } from './cursor.ts';
import type { ChainEvent } from './event.ts';

/**
 * What the processor publishes on contract and account channels: the whole event plus its journal
 * cursor (absent for PENDING events, which are not journaled).
 */
export type EventChannelMessage = { kind: 'event'; event: ChainEvent; cursor: Cursor | null };

/** What the processor publishes on a chain's heads channel when the confirmed block advances. */
export type HeadChannelMessage = {
  kind: 'head';
  chainId: number;
  blockNumber: number;
  blockHash: `0x${string}`;
  head: number;
};
