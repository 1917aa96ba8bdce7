import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import { matchEvents } from './filter.ts';

const alice = `0x${'a'.repeat(40)}`;
const bob = `0x${'b'.repeat(40)}`;

function transfer(from: string, to: string, value: string): ChainEvent {
  return {
    v: 1,
    id: `1:0x${'1'.repeat(64)}:0`,
    status: 'CONFIRMED',
    chainId: 1,
    blockNumber: 1,
    blockHash: `0x${'1'.repeat(64)}`,
    blockTimestamp: 1,
    transactionHash: `0x${'2'.repeat(64)}`,
    transactionIndex: 0,
    logIndex: 0,
    address: `0x${'c'.repeat(40)}`,
    eventName: 'Transfer',
    signature: 'Transfer(address,address,uint256)',
    decoded: true,
    args: { from, to, value },
    topics: [],
    data: '0x',
  };
}

describe('event filters', () => {
  it('matches addresses case-insensitively and integers numerically', () => {
    const match = matchEvents(
      ['Transfer'],
      [
        { name: 'to', value: bob.toUpperCase().replace('0X', '0x') },
        { name: 'value', value: '0010' },
      ],
    );
    expect(match(transfer(alice, bob, '10'))).toBe(true);
    expect(match(transfer(alice, bob, '11'))).toBe(false);
  });

  it('ORs values of one arg and ANDs different args', () => {
    const match = matchEvents(undefined, [
      { name: 'from', value: alice },
      { name: 'from', value: bob },
      { name: 'to', value: alice },
    ]);
    expect(match(transfer(bob, alice, '1'))).toBe(true);
    expect(match(transfer(bob, bob, '1'))).toBe(false);
  });

  it('rejects events of other names and events without the arg', () => {
    expect(matchEvents(['Approval'], undefined)(transfer(alice, bob, '1'))).toBe(false);
    expect(matchEvents(undefined, [{ name: 'owner', value: alice }])(transfer(alice, bob, '1'))).toBe(false);
  });
});
