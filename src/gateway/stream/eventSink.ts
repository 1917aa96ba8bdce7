import type { EventNode } from './eventNode.ts';

/**
 * Where a push-mode stream hands what it delivers (an event node by default), instead of waiting to
 * be pulled: the WebSocket fan-out (see `fanout/`) renders events once per identical operation and
 * writes the frames itself.
 */
export type EventSink<N = EventNode> = {
  /**
   * Sends one node now, in call order. `shared` is the channel message every listener of the
   * channel received (the same object for all of them), undefined for replayed entries.
   */
  send(node: N, shared: object | undefined): void;
  /** Nodes handed over and not yet written out to the transport (the subscription's buffer). */
  backlog(): number;
  /** Resolves once the backlog is at most `limit` or the sink is closed. */
  drained(limit: number): Promise<void>;
  /** Releases the sink; later sends are dropped. */
  close(): void;
};
