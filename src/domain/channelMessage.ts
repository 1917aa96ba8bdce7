import type { Cursor } from './cursor.ts';
import type { ChainEvent } from './event.ts';

/**
 * What the processor publishes on contract and account channels: the whole event plus its journal
 * cursor (absent for PENDING events, which are not journaled).
 */
export type EventChannelMessage = {
  kind: 'event';
  event: ChainEvent;
  cursor: Cursor | null;
  /**
   * W3C `traceparent` of the processor's span of the event, present only when tracing is on and the
   * event came with trace context: the gateway's delivery span becomes its child. Readers ignore it
   * otherwise (messages without it stay valid).
   */
  traceparent?: string;
};

/** What the processor publishes on a chain's heads channel when the confirmed block advances. */
export type HeadChannelMessage = {
  kind: 'head';
  chainId: number;
  blockNumber: number;
  blockHash: `0x${string}`;
  head: number;
};
