import { describe, expect, it } from 'vitest';
import { createFeedModel, type FeedEvent } from './feedModel.ts';

const event = (id: string, status: FeedEvent['status'], blockNumber = '10'): FeedEvent => ({
  __typename: 'DemoToken_Transfer',
  id,
  status,
  cursor: status === 'PENDING' ? null : `${blockNumber}-0`,
  resumeToken: null,
  chainId: 31337,
  blockNumber,
  logIndex: 0,
  transactionHash: '0xabc',
  contractName: 'DemoToken',
  eventName: 'Transfer',
});

describe('createFeedModel', () => {
  it('updates the row of a PENDING event when it is CONFIRMED, keeping its history', () => {
    const feed = createFeedModel({ maxRows: 10 });
    expect(feed.apply(event('a', 'PENDING')).kind).toBe('added');
    const change = feed.apply(event('a', 'CONFIRMED'));
    expect(change.kind).toBe('updated');
    expect(change.row.history).toEqual(['PENDING', 'CONFIRMED']);
    expect(feed.rows()).toHaveLength(1);
  });

  it('remembers that a REMOVED event had been CONFIRMED', () => {
    const feed = createFeedModel({ maxRows: 10 });
    feed.apply(event('a', 'CONFIRMED'));
    const change = feed.apply(event('a', 'REMOVED'));
    expect(change.row.previousStatus).toBe('CONFIRMED');
    expect(change.row.history).toEqual(['CONFIRMED', 'REMOVED']);
  });

  it('ignores a repeated delivery of the same status (replay after resubscribe)', () => {
    const feed = createFeedModel({ maxRows: 10 });
    feed.apply(event('a', 'CONFIRMED'));
    expect(feed.apply(event('a', 'CONFIRMED')).kind).toBe('unchanged');
    expect(feed.get('a')?.history).toEqual(['CONFIRMED']);
  });

  it('lists newest first and evicts the oldest beyond maxRows', () => {
    const feed = createFeedModel({ maxRows: 2 });
    feed.apply(event('a', 'PENDING'));
    feed.apply(event('b', 'PENDING'));
    const change = feed.apply(event('c', 'PENDING'));
    expect(change.evicted.map((row) => row.event.id)).toEqual(['a']);
    expect(feed.rows().map((row) => row.event.id)).toEqual(['c', 'b']);
    expect(feed.get('a')).toBeUndefined();
  });
});
