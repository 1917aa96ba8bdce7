import type { EventNode } from './eventNode.ts';

/**
 * Where a push-mode event stream hands its events, instead of waiting to be pulled: the WebSocket
 * fan-out (see `fanout/`) renders them once per identical operation and writes the frames itself.
 */
export type EventSink = {
  /**
   * Sends one event now, in call order. `shared` is the channel message every listener of the
   * channel received (the same object for all of them), undefined for replayed events.
   */
  send(node: EventNode, shared: object | undefined): void;
  /** Events handed over and not yet written out to the transport (the subscription's buffer). */
  backlog(): number;
  /** Resolves once the backlog is at most `limit` or the sink is closed. */
  drained(limit: number): Promise<void>;
  /** Releases the sink; later sends are dropped. */
  close(): void;
};
