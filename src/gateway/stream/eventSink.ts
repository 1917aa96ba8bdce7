import type { Logger } from '../../shared/logger.ts';
import type { ChannelHub, HubMessage } from '../pubsub/channelHub.ts';
import type { EventNode } from './eventNode.ts';
import type { StreamItem } from './streamItem.ts';
import type { StreamPositions } from './streamPositions.ts';

/**
 * What a live event stream hands to a sink that shares live delivery among identical subscriptions
 * (see `fanout/liveFan.ts`): where its items come from and how they are deduplicated and filtered,
 * where the stream stands, and how to end it.
 */
export type LiveHandover = {
  hub: ChannelHub;
  logger: Logger;
  /** The stream's channels. */
  channels: string[];
  /** The item of a channel message; undefined when it is malformed. */
  fromMessage: (message: HubMessage) => StreamItem | undefined;
  /** A fresh dedup and filter state with the stream's filter, for the shared path's own use. */
  createPositions: () => StreamPositions<StreamItem>;
  /**
   * The stream's own positions: what it has seen when it joins. When it leaves as a slow consumer
   * they are told what the shared path delivered for it, so its resume hint is exact.
   */
  positions: StreamPositions<StreamItem>;
  /** Most frames waiting in the sink before the stream is closed as a slow consumer. */
  capacity: number;
  /** Ends the stream as a slow consumer (its positions are up to date when called). */
  slowConsumer: () => void;
  /** Ends the stream because the Redis subscription was lost (its positions are up to date when called). */
  interrupted: () => void;
};

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
  /**
   * Offered by sinks that can take over a live stream's delivery: true when from now on the sink
   * receives and delivers the stream's live items itself (the stream stops listening), false when
   * it cannot yet (the stream goes on and may offer again later).
   */
  joinLive?(handover: LiveHandover): boolean;
};
