import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import { isStalePending, prepareItem } from './streamItem.ts';

const event = (status: ChainEvent['status'], blockNumber: number): ChainEvent => ({
  v: 1,
  id: `31337:0x${'b'.repeat(64)}:3`,
  status,
  chainId: 31337,
  blockNumber,
  blockHash: `0x${'b'.repeat(64)}`,
  blockTimestamp: 1_700_000_000,
  transactionHash: `0x${'c'.repeat(64)}`,
  transactionIndex: 0,
  logIndex: 3,
  address: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  eventName: 'Transfer',
  signature: 'Transfer(address,address,uint256)',
  decoded: true,
  args: {},
  topics: [],
  data: '0x',
});

const pending = (blockNumber: number) =>
  prepareItem(event('PENDING', blockNumber), null, undefined, undefined)!;

describe('isStalePending', () => {
  it('calls a PENDING stale when its block is at or behind the contract position', () => {
    expect(isStalePending(pending(10), { major: 10n, minor: 0n })).toBe(true);
    expect(isStalePending(pending(9), { major: 10n, minor: 5n })).toBe(true);
  });

  it('keeps a PENDING of a later block, or when the stream has no position for the contract', () => {
    expect(isStalePending(pending(11), { major: 10n, minor: 9n })).toBe(false);
    expect(isStalePending(pending(11), undefined)).toBe(false);
  });

  it('never calls a CONFIRMED or REMOVED event stale', () => {
    const confirmed = prepareItem(event('CONFIRMED', 5), '5-3', undefined, undefined)!;
    expect(isStalePending(confirmed, { major: 10n, minor: 0n })).toBe(false);
  });
});
