import { type AbiEvent, decodeEventLog, parseAbiItem, toEventSelector } from 'viem';
import { describe, expect, it } from 'vitest';
import { compileStaticEventDecoder } from './compileStaticEventDecoder.ts';
import { toJsonValue } from './toJsonValue.ts';

/** A deterministic generator, so a failure names the case that broke. */
function createRandom(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 48_271) % 2_147_483_647;
    return state;
  };
  const hexByte = () => (next() % 256).toString(16).padStart(2, '0');
  return {
    int: (below: number) => next() % below,
    bytes: (count: number) => Array.from({ length: count }, hexByte).join(''),
  };
}

type Random = ReturnType<typeof createRandom>;

/** A 32-byte word for `type`: mostly well-formed values, sometimes garbage the decoders must agree on. */
function wordFor(type: string, random: Random): string {
  const garbage = random.int(10) === 0;
  if (garbage) return random.bytes(32);
  if (type === 'address') return '0'.repeat(24) + random.bytes(20);
  if (type === 'bool') return '0'.repeat(63) + String(random.int(2));
  const bytes = /^bytes([0-9]+)$/.exec(type);
  if (bytes) return random.bytes(Number(bytes[1])).padEnd(64, '0');
  const bits = Number(/int([0-9]*)$/.exec(type)![1] || '256');
  const value = random.bytes(bits / 8).padStart(64, '0');
  // A negative int: sign-extended.
  if (type.startsWith('int') && random.int(2) === 0)
    return value.replace(/^0+/, (zeros) => 'f'.repeat(zeros.length));
  return value;
}

/** What blockwire publishes for a log decoded by viem, or 'refused' when viem's strict decoding throws. */
function viaViem(event: AbiEvent, topics: `0x${string}`[], data: `0x${string}`) {
  try {
    const decoded = decodeEventLog({
      abi: [event],
      data,
      topics: topics as [`0x${string}`, ...`0x${string}`[]],
      strict: true,
    });
    const args = toJsonValue(decoded.args ?? {});
    return Array.isArray(args) ? { ...args } : args;
  } catch {
    return 'refused';
  }
}

const events = [
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Transfer(address indexed from, address indexed to, uint256 indexed tokenId)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
  'event TransferSingle(address indexed operator, address indexed from, address indexed to, uint256 id, uint256 value)',
  'event Mixed(int8 small, int256 big, uint48 wide, uint64 large, bool flag, bytes4 tag, bytes32 root)',
  'event Indexed(int16 indexed a, bool indexed b, bytes8 indexed c, uint32 d)',
  'event Unnamed(address indexed, uint256, bool)',
  'event Twice(uint256 value, uint256 value)',
  'event Empty()',
].map((signature) => parseAbiItem(signature) as AbiEvent);

describe('compileStaticEventDecoder', () => {
  it('gives what viem decodes, or leaves the log to viem, for well-formed and garbage logs alike', () => {
    const random = createRandom(7);
    for (const event of events) {
      const decode = compileStaticEventDecoder(event)!;
      expect(decode).toBeDefined();
      const selector = toEventSelector(event);
      let decodedHere = 0;
      for (let i = 0; i < 400; i++) {
        const topics: `0x${string}`[] = [selector];
        let data = '';
        for (const input of event.inputs) {
          const word = wordFor(input.type, random);
          if ((input as { indexed?: boolean }).indexed) topics.push(`0x${word}`);
          else data += word;
        }
        // Now and then a log of another shape: a topic less or more, data cut short or longer.
        const shape = random.int(12);
        if (shape === 0 && topics.length > 1) topics.pop();
        if (shape === 1) topics.push(`0x${random.bytes(32)}`);
        if (shape === 2) data = data.slice(0, random.int(data.length + 1));
        if (shape === 3) data += random.bytes(random.int(40));
        const hexData = `0x${data}` as const;
        const fast = decode(topics, hexData);
        const expected = viaViem(event, topics, hexData);
        if (fast === undefined) continue;
        const context = `${event.name} ${JSON.stringify({ topics, data: hexData })}`;
        if (fast === 'mismatch') expect(expected, context).toBe('refused');
        else {
          expect(JSON.stringify(fast.args), context).toBe(JSON.stringify(expected));
          decodedHere++;
        }
      }
      // Most logs are well-formed: the compiled decoder must have decoded them, not left them all to viem.
      expect(decodedHere, event.name).toBeGreaterThan(150);
    }
  });

  it('decodes the common case itself', () => {
    const transfer = events[0]!;
    const topics: `0x${string}`[] = [
      toEventSelector(transfer),
      `0x${'0'.repeat(64)}`,
      `0x${'0'.repeat(24)}${'ab'.repeat(20)}`,
    ];
    const data = `0x${(10n ** 30n).toString(16).padStart(64, '0')}` as const;
    expect(compileStaticEventDecoder(transfer)!(topics, data)).toEqual({
      args: {
        from: '0x0000000000000000000000000000000000000000',
        to: '0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB',
        value: (10n ** 30n).toString(),
      },
    });
  });

  it('leaves events with dynamic or nested types to viem', () => {
    for (const signature of [
      'event Named(string name)',
      'event Blob(bytes payload)',
      'event Many(uint256[] ids)',
      'event Pair((uint256 a, uint256 b) pair)',
    ])
      expect(compileStaticEventDecoder(parseAbiItem(signature) as AbiEvent)).toBeUndefined();
  });
});
