import { describe, expect, it } from 'vitest';
import type { FeedEvent } from './feedModel.ts';
import { createReorgLog } from './reorgLog.ts';

const removed = (
  blockNumber: string,
  contractName: string,
  status: FeedEvent['status'] = 'REMOVED',
): FeedEvent => ({
  __typename: 'DemoToken_Transfer',
  id: `31337:0x${blockNumber}:${contractName}`,
  status,
  cursor: null,
  resumeToken: null,
  chainId: 31337,
  blockNumber,
  logIndex: 0,
  transactionHash: '0xabc',
  contractName,
  eventName: 'Transfer',
});

describe('createReorgLog', () => {
  it('groups REMOVED events by block, newest block first', () => {
    const log = createReorgLog({ maxEntries: 5 });
    log.add(removed('7', 'DemoToken'), { wasConfirmed: false, nowMs: 1 });
    log.add(removed('7', 'DemoNFT'), { wasConfirmed: false, nowMs: 2 });
    log.add(removed('9', 'DemoToken'), { wasConfirmed: true, nowMs: 3 });
    expect(log.entries()).toEqual([
      { chainId: 31337, blockNumber: '9', removed: 1, contracts: ['DemoToken'], deep: true, seenAt: 3 },
      {
        chainId: 31337,
        blockNumber: '7',
        removed: 2,
        contracts: ['DemoToken', 'DemoNFT'],
        deep: false,
        seenAt: 1,
      },
    ]);
  });

  it('ignores events that are not REMOVED and keeps only maxEntries blocks', () => {
    const log = createReorgLog({ maxEntries: 1 });
    expect(log.add(removed('1', 'DemoToken', 'CONFIRMED'), { wasConfirmed: false, nowMs: 1 })).toBe(false);
    log.add(removed('2', 'DemoToken'), { wasConfirmed: false, nowMs: 2 });
    log.add(removed('3', 'DemoToken'), { wasConfirmed: false, nowMs: 3 });
    expect(log.entries().map((entry) => entry.blockNumber)).toEqual(['3']);
  });
});
