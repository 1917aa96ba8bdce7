import { describe, expect, it } from 'vitest';
import { type ChainEvent, decodeEvent, encodeEvent } from '../../domain/index.ts';
import { fastValidateEvent } from './fastValidateEvent.ts';

const fastDecodeEvent = (raw: Buffer): ChainEvent | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  return fastValidateEvent(parsed);
};

const valid = {
  v: 1,
  id: `31337:0x${'ab'.repeat(32)}:3`,
  status: 'CONFIRMED',
  chainId: 31337,
  blockNumber: 12,
  blockHash: `0x${'AB'.repeat(32)}`,
  blockTimestamp: 1_700_000_000,
  transactionHash: `0x${'cd'.repeat(32)}`,
  transactionIndex: 0,
  logIndex: 3,
  address: `0x${'11'.repeat(20)}`,
  eventName: 'Transfer',
  signature: 'Transfer(address,address,uint256)',
  decoded: true,
  args: { from: `0x${'22'.repeat(20)}`, to: `0x${'33'.repeat(20)}`, value: '1', nested: [{ a: null }] },
  topics: ['0x01'],
  data: '0x',
};

const mutations: [string, unknown][] = [
  ['v', 2],
  ['id', ''],
  ['id', `31337:0x${'ab'.repeat(32)}:4`],
  ['status', 'DONE'],
  ['chainId', 0],
  ['chainId', 1.5],
  ['blockNumber', -1],
  ['blockNumber', '12'],
  ['blockHash', '0x12'],
  ['blockTimestamp', null],
  ['transactionHash', 'ab'],
  ['transactionIndex', 1.2],
  ['logIndex', undefined],
  ['address', '0x1234'],
  ['eventName', 5],
  ['signature', false],
  ['decoded', 'yes'],
  ['args', []],
  ['args', null],
  ['topics', ['zz']],
  ['topics', 'not-a-list'],
  ['data', '0xg'],
  ['template', ''],
  ['template', 5],
];

describe('fastValidateEvent', () => {
  it('returns what decodeEvent returns for a valid message, unknown fields dropped', () => {
    const raw = Buffer.from(JSON.stringify({ ...valid, extra: 1 }));
    const slow = decodeEvent(raw);
    expect(slow.ok).toBe(true);
    expect(fastDecodeEvent(raw)).toEqual(slow.ok ? slow.value : undefined);
    expect(encodeEvent(fastDecodeEvent(raw)!)).toBe(encodeEvent(slow.ok ? slow.value : (valid as never)));
  });

  it('keeps the template of a factory-created contract, as decodeEvent does', () => {
    const raw = Buffer.from(JSON.stringify({ ...valid, template: 'Pair' }));
    const slow = decodeEvent(raw);
    expect(slow.ok && slow.value.template).toBe('Pair');
    expect(fastDecodeEvent(raw)).toEqual(slow.ok ? slow.value : undefined);
    expect(encodeEvent(fastDecodeEvent(raw)!)).toBe(encodeEvent(slow.ok ? slow.value : (valid as never)));
  });

  it.each(mutations)('rejects whatever decodeEvent rejects (%s = %j)', (field, value) => {
    const raw = Buffer.from(JSON.stringify({ ...valid, [field]: value }));
    expect(decodeEvent(raw).ok).toBe(false);
    expect(fastDecodeEvent(raw)).toBeUndefined();
  });

  it('rejects non-JSON and non-object values', () => {
    for (const raw of ['nope', '[]', 'null', '"s"'])
      expect(fastDecodeEvent(Buffer.from(raw))).toBeUndefined();
  });
});
