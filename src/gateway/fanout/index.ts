import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import type { ExecutionResult } from '../graphqlJs.ts';
import type { EventNode } from '../stream/eventNode.ts';
import type { EventSink } from '../stream/eventSink.ts';
import { createDirectSink } from './directSink.ts';
import { createLiveFan, type LiveFan } from './liveFan.ts';
import { createRenderGroup, type ExecuteEvent, type RenderGroup } from './renderGroup.ts';

export type { ExecuteEvent } from './renderGroup.ts';

/** What a WebSocket subscription offers its stream: a sink writing its frames directly. */
export type DirectDelivery = { open<N extends object = EventNode>(): EventSink<N> };

/** Parameters of {@link Fanout.delivery}. */
export type DeliveryParameters = {
  /** Identical operations (query text, operation name, variables) share one key. */
  key: string;
  socket: WebSocket;
  /** The connection the HTTP upgrade handed to `socket`, for writing rendered frames directly. */
  connection?: Duplex;
  /** graphql-ws operation id. */
  id: string;
  /** Executes the operation's selection on an event (used by the group's first subscriber). */
  execute: ExecuteEvent;
};

/**
 * Shares the work of identical WebSocket subscriptions: one render group per operation key,
 * counted by the sinks open on it, so an event is executed and serialized once for all of them;
 * once live, their streams are delivered by the group's live fan (one listener, one dedup and
 * filter per message for all of them).
 */
export type Fanout = {
  delivery(params: DeliveryParameters): DirectDelivery;
  /** Number of render groups with open sinks. */
  groupCount(): number;
  /**
   * Live fans listening on their channels (each holds one channel listener) and the streams they
   * deliver (which hold none).
   */
  liveCounts(): { fans: number; members: number };
};

/** Parameters of {@link createFanout}. */
export type CreateFanoutParameters = {
  logger: Logger;
  formatErrors: (result: ExecutionResult) => ExecutionResult;
};

/** Creates the registry of render groups of one gateway. */
export function createFanout({ logger, formatErrors }: CreateFanoutParameters): Fanout {
  const groups = new Map<string, { key: string; group: RenderGroup; fan: LiveFan; sinks: number }>();
  return {
    delivery: ({ key: given, socket, connection, id, execute }) => {
      // A subscription keeps its group's key string rather than an equal one of its own.
      const key = groups.get(given)?.key ?? given;
      return {
        open: () => {
          let shared = groups.get(key);
          if (!shared) {
            const group = createRenderGroup({ execute, formatErrors });
            shared = { key, group, fan: createLiveFan({ group, logger }), sinks: 0 };
            groups.set(key, shared);
          }
          shared.sinks += 1;
          const current = shared;
          return createDirectSink({
            socket,
            connection,
            id,
            group: current.group,
            logger,
            joinLive: (sink, handover) => current.fan.join(sink, handover),
            onClose: () => {
              current.sinks -= 1;
              if (current.sinks > 0) return;
              current.fan.close();
              if (groups.get(key) === current) groups.delete(key);
            },
          });
        },
      };
    },
    groupCount: () => groups.size,
    liveCounts() {
      let fans = 0;
      let members = 0;
      for (const { fan } of groups.values()) {
        if (fan.listening()) fans += 1;
        members += fan.memberCount();
      }
      return { fans, members };
    },
  };
}
