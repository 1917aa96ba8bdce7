import type { Redis } from 'ioredis';
import { contractChannel, type EventChannelMessage, pendingChannel } from '../../../src/domain/index.ts';

/** Statuses each event id was delivered with, in the order one subscriber received them. */
export type StatusRecorder = {
  sequences: Map<string, string[]>;
  stop(): void;
};

/**
 * Subscribes one connection to every contract channel and pending channel of a chain, so the order
 * it sees is the order Redis published in, and records per id the statuses delivered.
 */
export async function recordStatuses(
  redis: Redis,
  keyPrefix: string,
  chainId: number,
): Promise<StatusRecorder> {
  const subscriber = redis.duplicate();
  subscriber.on('error', () => {});
  const sequences = new Map<string, string[]>();
  subscriber.on('pmessage', (_pattern: string, _channel: string, raw: string) => {
    const message = JSON.parse(raw) as EventChannelMessage;
    if (message.kind !== 'event') return;
    const { id, status } = message.event;
    const list = sequences.get(id);
    if (list) list.push(status);
    else sequences.set(id, [status]);
  });
  await subscriber.psubscribe(
    contractChannel(keyPrefix, chainId, '*'),
    pendingChannel(keyPrefix, chainId, '*'),
  );
  return { sequences, stop: () => subscriber.disconnect() };
}

/**
 * Breaches of the pending stream's promise: a PENDING delivered after the CONFIRMED of its id, or a
 * PENDING not followed by CONFIRMED or REMOVED of its id.
 */
export function pendingProblems(sequences: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [id, statuses] of sequences) {
    const confirmedAt = statuses.indexOf('CONFIRMED');
    if (confirmedAt >= 0 && statuses.indexOf('PENDING', confirmedAt) >= 0)
      problems.push(`${id}: PENDING after CONFIRMED (${statuses.join(' ')})`);
    const lastPending = statuses.lastIndexOf('PENDING');
    if (lastPending >= 0 && !statuses.slice(lastPending).some((s) => s === 'CONFIRMED' || s === 'REMOVED'))
      problems.push(`${id}: PENDING never followed by CONFIRMED or REMOVED (${statuses.join(' ')})`);
  }
  return problems;
}
