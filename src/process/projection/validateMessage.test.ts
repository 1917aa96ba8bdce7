import { describe, expect, it } from 'vitest';
import { type ChainEvent, encodeEvent, encodeEventRecord, eventId, eventKey } from '../../domain/index.ts';
import { validateRecord } from './validateMessage.ts';

const blockHash = `0x${'ab'.repeat(32)}` as const;
const address = `0x${'ab12'.repeat(10)}` as const;
const eventAt = (logIndex: number): ChainEvent => ({
  v: 1,
  id: eventId({ chainId: 31337, blockHash, logIndex }),
  status: 'CONFIRMED',
  chainId: 31337,
  blockNumber: 12,
  blockHash,
  blockTimestamp: 1_700_000_000,
  transactionHash: `0x${'cd'.repeat(32)}`,
  transactionIndex: 0,
  logIndex,
  address,
  topics: [`0x${'ef'.repeat(32)}`],
  data: '0x',
  eventName: 'Transfer',
  signature: 'Transfer(address,address,uint256)',
  decoded: true,
  args: { from: `0x${'00'.repeat(20)}`, to: `0x${'34'.repeat(20)}`, value: '5' },
});
const key = Buffer.from(eventKey(31337, address));
const statuses = ['CONFIRMED', 'REMOVED'] as const;
const validate = (value: string) => validateRecord({ key, value: Buffer.from(value), statuses });

describe('validateRecord', () => {
  it("keeps each event's own text of a record laid out as the ingestor writes it", () => {
    const texts = [0, 1, 2].map((index) => encodeEvent(eventAt(index)));
    const entries = validate(encodeEventRecord(texts));
    expect(entries.map((entry) => entry.ok && entry.json)).toEqual(texts);
    expect(entries.map((entry) => entry.ok && entry.event)).toEqual([0, 1, 2].map(eventAt));
    const [lone] = validate(texts[1]!);
    expect(lone).toEqual({ ok: true, event: eventAt(1), json: texts[1] });
  });

  it('encodes the event again when its text holds more than the event, or another address case', () => {
    const extra = JSON.stringify({ ...eventAt(0), note: 'not an event field' });
    const upper = JSON.stringify({ ...eventAt(1), address: address.toUpperCase().replace('0X', '0x') });
    const entries = validate(encodeEventRecord([extra, upper, encodeEvent(eventAt(2))]));
    expect(entries.map((entry) => entry.ok && entry.json)).toEqual([
      undefined,
      undefined,
      encodeEvent(eventAt(2)),
    ]);
    expect(entries.map((entry) => entry.ok && entry.event)).toEqual([0, 1, 2].map(eventAt));
    expect(validate(extra)).toEqual([{ ok: true, event: eventAt(0) }]);
  });

  it('encodes every event again when the packed record is laid out otherwise', () => {
    const events = [eventAt(0), eventAt(1)];
    const entries = validate(JSON.stringify({ v: 2, events }, null, 2));
    expect(entries).toEqual(events.map((event) => ({ ok: true, event })));
  });
});
