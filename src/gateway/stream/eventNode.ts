import type { ChainEvent } from '../../domain/index.ts';

/**
 * What resolvers of `ChainEvent` receive: the event, its journal cursor (null for PENDING) and,
 * for subscriptions, the resume token valid after this event (computed only when selected).
 */
export type EventNode = {
  event: ChainEvent;
  cursor: string | null;
  resumeToken: (() => string) | null;
};
