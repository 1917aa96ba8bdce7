import type { WebSocket } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import type { ExecutionResult } from '../graphqlJs.ts';
import type { EventSink } from '../stream/eventSink.ts';
import { createDirectSink } from './directSink.ts';
import { createRenderGroup, type ExecuteEvent, type RenderGroup } from './renderGroup.ts';

export type { ExecuteEvent } from './renderGroup.ts';

/** What a WebSocket subscription offers its stream: a sink writing its frames directly. */
export type DirectDelivery = { open(): EventSink };

/** Parameters of {@link Fanout.delivery}. */
export type DeliveryParameters = {
  /** Identical operations (query text, operation name, variables) share one key. */
  key: string;
  socket: WebSocket;
  /** graphql-ws operation id. */
  id: string;
  /** Executes the operation's selection on an event (used by the group's first subscriber). */
  execute: ExecuteEvent;
};

/**
 * Shares the work of identical WebSocket subscriptions: one render group per operation key,
 * counted by the sinks open on it, so an event is executed and serialized once for all of them.
 */
export type Fanout = {
  delivery(params: DeliveryParameters): DirectDelivery;
  /** Number of render groups with open sinks. */
  groupCount(): number;
};

/** Parameters of {@link createFanout}. */
export type CreateFanoutParameters = {
  logger: Logger;
  formatErrors: (result: ExecutionResult) => ExecutionResult;
};

/** Creates the registry of render groups of one gateway. */
export function createFanout({ logger, formatErrors }: CreateFanoutParameters): Fanout {
  const groups = new Map<string, { group: RenderGroup; sinks: number }>();
  return {
    delivery: ({ key, socket, id, execute }) => ({
      open() {
        let shared = groups.get(key);
        if (!shared) {
          shared = { group: createRenderGroup({ execute, formatErrors }), sinks: 0 };
          groups.set(key, shared);
        }
        shared.sinks += 1;
        const current = shared;
        return createDirectSink({
          socket,
          id,
          group: current.group,
          logger,
          onClose: () => {
            current.sinks -= 1;
            if (current.sinks === 0 && groups.get(key) === current) groups.delete(key);
          },
        });
      },
    }),
    groupCount: () => groups.size,
  };
}
