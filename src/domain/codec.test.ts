import { describe, expect, it } from 'vitest';
import {
  decodeEvent,
  decodeEventRecord,
  encodeEvent,
  encodeEventRecord,
  packedEventTexts,
  splitEventRecord,
} from './codec.ts';
import { compareCursors, encodeCursor, parseCursor } from './cursor.ts';
import type { ChainEvent } from './event.ts';
import { eventId } from './eventId.ts';

const blockHash = `0x${'ab'.repeat(32)}` as const;
const event: ChainEvent = {
  v: 1,
  id: eventId({ chainId: 31337, blockHash, logIndex: 3 }),
  status: 'CONFIRMED',
  chainId: 31337,
  blockNumber: 12,
  blockHash,
  blockTimestamp: 1_700_000_000,
  transactionHash: `0x${'cd'.repeat(32)}`,
  transactionIndex: 0,
  logIndex: 3,
  address: `0x${'12'.repeat(20)}`,
  eventName: 'Transfer',
  signature: 'Transfer(address,address,uint256)',
  decoded: true,
  args: { from: `0x${'00'.repeat(20)}`, to: `0x${'34'.repeat(20)}`, value: (2n ** 256n - 1n).toString() },
  topics: [`0x${'ef'.repeat(32)}`],
  data: '0x',
};

describe('event codec', () => {
  it('round-trips an event without losing uint256 precision', () => {
    const decoded = decodeEvent(encodeEvent(event));
    expect(decoded).toEqual({ ok: true, value: event });
  });

  it('names the field that is wrong', () => {
    const result = decodeEvent(JSON.stringify({ ...event, blockHash: '0x12' }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toBe('blockHash must be a 32-byte hex hash. Got "0x12".');
  });

  it('rejects an id that does not match chain, block hash and log index', () => {
    const result = decodeEvent(JSON.stringify({ ...event, logIndex: 4 }));
    expect(!result.ok && result.reason).toMatch(/^id must be 31337:0xabab.*:4/);
  });

  it('rejects non-JSON and empty values', () => {
    expect(decodeEvent('{nope')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^value is not JSON/),
    });
    expect(decodeEvent(null)).toEqual({ ok: false, reason: 'message has no value' });
  });
});

describe('events.confirmed records', () => {
  const second: ChainEvent = {
    ...event,
    id: eventId({ chainId: 31337, blockHash, logIndex: 4 }),
    logIndex: 4,
  };

  it('keeps a lone event as its own v1 message', () => {
    expect(encodeEventRecord([encodeEvent(event)])).toBe(encodeEvent(event));
    expect(decodeEventRecord(encodeEvent(event))).toEqual({ ok: true, value: [event] });
  });

  it('round-trips several events of a packed (v2) record in their order', () => {
    const record = encodeEventRecord([encodeEvent(event), encodeEvent(second)]);
    expect(JSON.parse(record)).toMatchObject({ v: 2 });
    expect(decodeEventRecord(record)).toEqual({ ok: true, value: [event, second] });
    expect(decodeEventRecord(Buffer.from(record))).toEqual({ ok: true, value: [event, second] });
  });

  it('names the packed event that is wrong, and its field', () => {
    const record = encodeEventRecord([encodeEvent(event), JSON.stringify({ ...second, blockHash: '0x12' })]);
    expect(decodeEventRecord(record)).toEqual({
      ok: false,
      reason: 'events[1]: blockHash must be a 32-byte hex hash. Got "0x12".',
    });
    expect(splitEventRecord(record).ok && splitEventRecord(record)).toMatchObject({ value: [{}, {}] });
  });

  it('finds the text of each packed event, whatever its strings hold', () => {
    const tricky: ChainEvent = {
      ...second,
      eventName: 'Note',
      decoded: true,
      args: {
        text: 'a \\"}], {"v":1} [{',
        nested: [{ a: ['}'] }, { b: { c: '\\' } }],
        empty: {},
        list: [],
        quotes: ['"', '\\\\"', '\\\\\\"}', '""'],
      },
    };
    const texts = [encodeEvent(event), encodeEvent(tricky), encodeEvent(second)];
    expect(packedEventTexts(encodeEventRecord(texts))).toEqual(texts);
    expect(texts.map((text) => JSON.parse(text))).toEqual([event, tricky, second]);
  });

  it('finds no packed event texts in a record laid out otherwise', () => {
    const texts = [encodeEvent(event), encodeEvent(second)];
    for (const record of [
      JSON.stringify({ v: 2, events: [event, second] }, null, 1),
      `{"events":[${texts.join(',')}],"v":2}`,
      `{"v":2,"events":[${texts.join(', ')}]}`,
      `{"v":2,"events":[${texts.join(',')},]}`,
      `{"v":2,"events":[${texts[0]}`,
      `{"v":2,"events":[${texts[0]!.slice(0, -1)}]}`,
      `{"v":2,"events":[1,2]}`,
      encodeEvent(event),
    ])
      expect(packedEventTexts(record), record.slice(0, 40)).toBeUndefined();
  });

  it('rejects a packed record without events, and a value that is not JSON', () => {
    for (const events of [[], null, 'x'])
      expect(splitEventRecord(JSON.stringify({ v: 2, events }))).toEqual({
        ok: false,
        reason: `events of a packed record (v 2) must be a non-empty list. Got ${JSON.stringify(events)}.`,
      });
    expect(decodeEventRecord('{')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^value is not JSON/),
    });
    expect(decodeEventRecord(null)).toEqual({ ok: false, reason: 'message has no value' });
  });
});

describe('cursor', () => {
  it('orders numerically, not as strings', () => {
    expect(compareCursors(encodeCursor(9, 0), encodeCursor(10, 0))).toBe(-1);
    expect(compareCursors('10-2', '10-10')).toBe(-1);
    expect(compareCursors('10-2', '10-2')).toBe(0);
  });

  it('rejects malformed cursors', () => {
    expect(parseCursor('10')).toBeUndefined();
    expect(parseCursor('a-1')).toBeUndefined();
    expect(parseCursor('1-2')).toEqual({ major: 1n, minor: 2n });
  });
});
