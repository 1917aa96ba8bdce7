import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import { childAddressOf } from './childAddressOf.ts';

const pair = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

function created(args: ChainEvent['args'], decoded = true): ChainEvent {
  return {
    v: 1,
    id: '31337:0xabc:3',
    status: 'CONFIRMED',
    chainId: 31337,
    blockNumber: 12,
    blockHash: '0xabc',
    blockTimestamp: 1,
    transactionHash: '0xdef',
    transactionIndex: 0,
    logIndex: 3,
    address: '0x0000000000000000000000000000000000000001',
    eventName: decoded ? 'PairCreated' : null,
    signature: decoded ? 'PairCreated(address,address,address,uint256)' : null,
    decoded,
    args,
    topics: [],
    data: '0x',
  } as ChainEvent;
}

describe('childAddressOf', () => {
  it('reads the child address at args.<name> or inside a tuple, lower-cased', () => {
    expect(childAddressOf(created({ pair, index: '1' }), 'args.pair')).toEqual({
      ok: true,
      value: pair.toLowerCase(),
    });
    expect(childAddressOf(created({ pool: { addr: pair } }), 'args.pool.addr')).toEqual({
      ok: true,
      value: pair.toLowerCase(),
    });
  });

  it('names the path and the value when it is not an address', () => {
    expect(childAddressOf(created({ pair: '12' }), 'args.pair')).toEqual({
      ok: false,
      reason: 'args.pair of PairCreated 31337:0xabc:3 is not an address (got "12")',
    });
    expect(childAddressOf(created({ token0: pair }), 'args.pair')).toEqual({
      ok: false,
      reason: 'args.pair of PairCreated 31337:0xabc:3 is not an address (got null)',
    });
    expect(childAddressOf(created({ pair }), 'pair')).toEqual({
      ok: false,
      reason: 'address path must start with args. (e.g. args.pair), got pair',
    });
    expect(childAddressOf(created({}, false), 'args.pair').ok).toBe(false);
  });
});
