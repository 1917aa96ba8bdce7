import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import { accountsOf } from './accountsOf.ts';
import { projectionOf } from './projectionOf.ts';

const zero = '0x0000000000000000000000000000000000000000';
const alice = `0x${'aA'.repeat(20)}`;
const bob = `0x${'bb'.repeat(20)}`;
const max = (2n ** 256n - 1n).toString();

function event(eventName: string | null, args: ChainEvent['args']): ChainEvent {
  return {
    v: 1,
    id: `1:0x${'00'.repeat(32)}:0`,
    status: 'CONFIRMED',
    chainId: 1,
    blockNumber: 1,
    blockHash: `0x${'00'.repeat(32)}`,
    blockTimestamp: 0,
    transactionHash: `0x${'00'.repeat(32)}`,
    transactionIndex: 0,
    logIndex: 0,
    address: `0x${'11'.repeat(20)}`,
    eventName,
    signature: null,
    decoded: eventName !== null,
    args,
    topics: [],
    data: '0x',
  };
}

describe('projectionOf', () => {
  it('projects ERC-20 mints with lower-case addresses and canonical amounts', () => {
    expect(projectionOf(event('Transfer', { from: zero, to: alice, value: '007' }), 'erc20')).toEqual({
      ok: true,
      value: { kind: 'erc20', payload: [zero, alice.toLowerCase(), '7'] },
    });
  });

  it('projects ERC-721 transfers by tokenId, up to 2^256-1', () => {
    expect(projectionOf(event('Transfer', { from: alice, to: bob, tokenId: max }), 'erc721')).toEqual({
      ok: true,
      value: { kind: 'erc721', payload: [alice.toLowerCase(), bob, max] },
    });
  });

  it('flattens ERC-1155 batches into id/value pairs', () => {
    const batch = event('TransferBatch', {
      operator: alice,
      from: zero,
      to: bob,
      ids: ['1', '2'],
      values: ['10', '20'],
    });
    expect(projectionOf(batch, 'erc1155')).toEqual({
      ok: true,
      value: { kind: 'erc1155', payload: [zero, bob, '1', '10', '2', '20'] },
    });
  });

  it('names the field and the expectation when args cannot be projected', () => {
    expect(projectionOf(event('Transfer', { from: zero, to: alice, value: '-1' }), 'erc20')).toEqual({
      ok: false,
      reason: 'args.value must be a uint256 decimal string. Got "-1".',
    });
    expect(projectionOf(event('Transfer', { from: zero, to: alice, value: `${max}0` }), 'erc20').ok).toBe(
      false,
    );
    const uneven = event('TransferBatch', { operator: alice, from: zero, to: bob, ids: ['1'], values: [] });
    expect(projectionOf(uneven, 'erc1155')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('args.values'),
    });
  });

  it('only counts other events, custom ABIs and undecoded logs', () => {
    expect(
      projectionOf(event('Approval', { owner: alice, spender: bob, value: '1' }), 'erc20').ok && 'none',
    ).toBe('none');
    expect(projectionOf(event('Transfer', { from: zero, to: alice, value: '1' }), 'custom')).toEqual({
      ok: true,
      value: { kind: 'none', payload: [] },
    });
    expect(projectionOf(event(null, {}), 'erc20')).toEqual({
      ok: true,
      value: { kind: 'none', payload: [] },
    });
  });
});

describe('accountsOf', () => {
  it('lists each involved account once, lower-case, without the zero address', () => {
    const single = event('TransferSingle', { operator: alice, from: alice, to: bob, id: '1', value: '1' });
    expect(accountsOf(single)).toEqual([alice.toLowerCase(), bob]);
    expect(accountsOf(event('Transfer', { from: zero, to: bob, value: '1' }))).toEqual([bob]);
    expect(accountsOf(event('Approval', { owner: alice, spender: bob, value: '1' }))).toEqual([
      alice.toLowerCase(),
      bob,
    ]);
  });
});
