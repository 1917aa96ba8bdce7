import { describe, expect, it } from 'vitest';
import { type ChainEvent, eventId, type JsonValue } from '../../domain/index.ts';
import type { AbiKind } from '../../shared/config/index.ts';
import { buildApplyCall, type PreparedEvent, prepareApply } from './prepareApply.ts';

const chainId = 31337;
const contract = `0x${'c1'.repeat(20)}` as const;
const zero = `0x${'00'.repeat(20)}`;
const alice = `0x${'a1'.repeat(20)}`;
const bob = `0x${'B2'.repeat(20)}`;
const settings = { keyPrefix: 'bw:', epoch: 'e1', journalMaxEntries: 1000, reorgWindowBlocks: 64 };

function event(
  logIndex: number,
  eventName: string | null,
  args: Record<string, JsonValue>,
  status: ChainEvent['status'] = 'CONFIRMED',
): ChainEvent {
  const blockHash = `0x${'0b'.repeat(32)}` as const;
  return {
    v: 1,
    id: eventId({ chainId, blockHash, logIndex }),
    status,
    chainId,
    blockNumber: 12,
    blockHash,
    blockTimestamp: 1_700_000_000,
    transactionHash: `0x${'0c'.repeat(32)}`,
    transactionIndex: 0,
    logIndex,
    address: contract,
    topics: [],
    data: '0x',
    eventName,
    signature: eventName === null ? null : `${eventName}()`,
    decoded: eventName !== null,
    args,
  };
}

function prepared(value: ChainEvent, abiKind: AbiKind): PreparedEvent {
  const result = prepareApply({ event: value, abiKind });
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

describe('buildApplyCall', () => {
  it("writes each event's record and effect exactly as JSON.stringify would", () => {
    const cases: [ChainEvent, AbiKind][] = [
      [event(0, 'Transfer', { from: zero, to: alice, value: '1000000000000000000000' }), 'erc20'],
      [event(1, 'Transfer', { from: alice, to: bob, tokenId: '7' }), 'erc721'],
      [
        event(2, 'TransferBatch', {
          operator: bob,
          from: bob,
          to: alice,
          ids: ['1', '2'],
          values: ['3', '0'],
        }),
        'erc1155',
      ],
      [event(3, 'Transfer', { from: bob, to: zero, value: '5' }, 'REMOVED'), 'erc20'],
      // A count field is whatever the event is named: escaped like any JSON string.
      [event(4, 'Odd"name\\with\u0001controls', { owner: alice }), 'custom'],
      [event(5, null, {}), 'custom'],
    ];
    for (const [value, abiKind] of cases) {
      const one = prepared(value, abiKind);
      const call = buildApplyCall([one], settings);
      const keyCount = call[0] as number;
      // ARGV: epoch, journal max, reorg window, contract channel, account channel prefix, count, then
      // record, JSON and effect of the event.
      const [record, json, effect] = call.slice(1 + keyCount + 6) as string[];
      const owners = one.owners ?? [undefined, undefined];
      const ownerIndex = (owner: string | undefined) =>
        owner === undefined
          ? 0
          : (call.slice(1, 1 + keyCount) as string[]).findIndex((key) => key.endsWith(owner)) + 1;
      const expected = [
        ...one.fields,
        ownerIndex(owners[0]),
        ownerIndex(owners[1]),
        one.payload,
        one.accounts,
        [],
      ];
      expect(record).toBe(JSON.stringify(expected));
      expect(json).toBe(
        JSON.stringify(value.address === one.address ? value : { ...value, address: one.address }),
      );
      const countField = value.decoded && value.eventName ? value.eventName : '__undecoded';
      expect(effect).toBe(JSON.stringify([one.fields[5], countField, one.payload]));
    }
  });

  it('keeps the lower-case accounts and payload of a checksummed transfer', () => {
    const one = prepared(event(0, 'Transfer', { from: bob, to: alice, value: '9' }), 'erc20');
    expect(one.payload).toEqual([bob.toLowerCase(), alice, '9']);
    expect(one.accounts).toEqual([bob.toLowerCase(), alice]);
  });
});
