import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAbi } from 'viem';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/index.ts';
import { loadConfig, parseConfig, type ResolvedConfig } from './loadConfig.ts';

// The marketplace of the docs, plus events that reach the corners: a struct with an array, arrays,
// a key argument of another type, an argument named like a key field elsewhere, reserved names and
// an overload.
const abi = parseAbi([
  'event Listed(uint256 indexed listingId, address indexed seller, uint256 price)',
  'event PriceChanged(uint256 indexed listingId, uint256 newPrice)',
  'event Sold(uint256 indexed listingId, address indexed buyer, address indexed seller, uint256 price)',
  'event Cancelled(uint256 indexed listingId)',
  'struct Order { uint256 id; address bidder; uint256[] amounts; }',
  'event Bid(uint256 indexed listingId, Order order, bytes32[] tags, string note, bool flag, uint256 id)',
  'event Moved(bytes32 indexed listingId)',
  'event Flagged(uint256 indexed listingId, uint256 cursor, uint256 entity, uint256 chainId)',
  'event Filled(uint256 amount)',
  'event Filled(address maker, uint256 amount)',
]);
const dir = mkdtempSync(join(tmpdir(), 'bw-projections-'));
writeFileSync(join(dir, 'Market.json'), JSON.stringify(abi));

function parse(projections: unknown, abiSource = './Market.json'): ResolvedConfig {
  return parseConfig({
    raw: {
      chains: [
        {
          chainId: 31337,
          rpc: { http: 'http://127.0.0.1:8545' },
          contracts: [{ name: 'Market', address: `0x${'1'.repeat(40)}`, abi: abiSource, projections }],
        },
      ],
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379' },
    },
    baseDir: dir,
    env: {},
  });
}

/** The first line of the error `parse` throws (zod adds further issues on the next lines). */
function refusal(projections: unknown, abiSource?: string): { error: unknown; message: string } {
  try {
    parse(projections, abiSource);
  } catch (error) {
    return { error, message: (error as Error).message.split('\n')[0]! };
  }
  return { error: undefined, message: 'accepted' };
}

const P = 'chains[0].contracts[0].projections[0]';
const listing = { name: 'Listing', key: 'args.listingId' };
const on = (handlers: Record<string, unknown>) => [{ ...listing, on: handlers }];

type BadInput = { input: string; projections: unknown; abi?: string; message: string };

// Each bad input, the message it gets (after "Validation failed: "): the field path, what is wrong
// and what was expected.
const badInputs: BadInput[] = [
  {
    input: 'unknown event',
    projections: on({ Bought: { set: { price: 'args.price' } } }),
    message: `${P}.on.Bought names an event the ABI does not have: Bought (it has Listed, PriceChanged, Sold, Cancelled, Bid, Moved, Flagged, Filled).`,
  },
  {
    input: 'event of a standard ABI that it does not have',
    abi: 'erc20',
    projections: [{ name: 'Holder', key: 'args.to', on: { Listed: { add: { n: 1 } } } }],
    message: `${P}.on.Listed names an event the ABI does not have: Listed (it has Approval, Transfer).`,
  },
  {
    input: 'overloaded event',
    projections: [{ name: 'Fills', key: 'tx.hash', on: { Filled: { add: { total: 'args.amount' } } } }],
    message: `${P}.on.Filled names an overloaded event: the ABI has Filled(uint256) and Filled(address,uint256); a projection can only follow an event name with one signature.`,
  },
  {
    input: 'unknown argument',
    projections: on({ Listed: { set: { price: 'args.prce' } } }),
    message: `${P}.on.Listed.set.price refers to a missing argument: event Listed has no argument prce (it has listingId, seller, price). Got args.prce.`,
  },
  {
    input: 'unknown field of a tuple',
    projections: on({ Bid: { set: { bidder: 'args.order.buyer' } } }),
    message: `${P}.on.Bid.set.bidder refers to a missing argument: args.order has no argument buyer (it has id, bidder, amounts). Got args.order.buyer.`,
  },
  {
    input: 'nested path into a non-tuple',
    projections: on({ Listed: { set: { price: 'args.price.low' } } }),
    message: `${P}.on.Listed.set.price refers to a missing argument: args.price of Listed is a uint256, not a tuple (struct), so there is nothing to reach with a dot after it. Got args.price.low.`,
  },
  {
    input: 'tuple argument as a value',
    projections: on({ Bid: { set: { order: 'args.order' } } }),
    message: `${P}.on.Bid.set.order must refer to a single value (uint/int, address, bool, bytes or string); args.order of Bid is a tuple (name one of its fields with a dot). Got args.order.`,
  },
  {
    input: 'array argument as a value',
    projections: on({ Bid: { set: { tags: 'args.tags' } } }),
    message: `${P}.on.Bid.set.tags must refer to a single value (uint/int, address, bool, bytes or string); args.tags of Bid is a bytes32[]. Got args.tags.`,
  },
  {
    input: 'array inside a tuple as a value',
    projections: on({ Bid: { set: { amounts: 'args.order.amounts' } } }),
    message: `${P}.on.Bid.set.amounts must refer to a single value (uint/int, address, bool, bytes or string); args.order.amounts of Bid is a uint256[]. Got args.order.amounts.`,
  },
  {
    input: 'add of an address',
    projections: on({ Sold: { add: { volume: 'args.buyer' } } }),
    message: `${P}.on.Sold.add.volume must be an integer to add (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); args.buyer is of type Address. Got args.buyer.`,
  },
  {
    input: 'add of a bool argument',
    projections: on({ Bid: { add: { flags: 'args.flag' } } }),
    message: `${P}.on.Bid.add.flags must be an integer to add (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); args.flag is of type Boolean. Got args.flag.`,
  },
  {
    input: 'add of a boolean literal',
    projections: on({ Sold: { add: { sales: true } } }),
    message: `${P}.on.Sold.add.sales must be an integer to add (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); true is a Boolean literal. Got true.`,
  },
  {
    input: 'sub of a string literal',
    projections: on({ Sold: { sub: { stock: 'one' } } }),
    message: `${P}.on.Sold.sub.stock must be an integer to sub (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); one is a String literal. Got one.`,
  },
  {
    input: 'sub of an event id (a String)',
    projections: on({ Sold: { sub: { stock: 'event.id' } } }),
    message: `${P}.on.Sold.sub.stock must be an integer to sub (a uint/int argument, block.number, block.timestamp, log.index or an integer literal); event.id is of type String. Got event.id.`,
  },
  {
    input: 'add to a field another event sets to an address',
    projections: on({ Listed: { set: { volume: 'args.seller' } }, Sold: { add: { volume: 'args.price' } } }),
    message: `${P}.on.Sold.add.volume adds to field volume, which ${P}.on.Listed.set.volume makes an Address; add and sub work on BigInt fields only. Got args.price.`,
  },
  {
    input: 'key from an argument missing in one of the events',
    projections: [
      {
        name: 'SellerStats',
        key: 'args.seller',
        on: { Listed: { add: { listings: 1 } }, Cancelled: { add: { cancels: 1 } } },
      },
    ],
    message: `${P}.key must be an argument of every event in on: event Cancelled has no argument seller (it has listingId). Got args.seller.`,
  },
  {
    input: 'key given as a literal',
    projections: [{ ...listing, key: 'listing', on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.key must be an event reference (args.<name>, block.number, block.timestamp, block.hash, tx.hash, log.address, log.index, event.id), not a literal: a literal would put every event in one entity. Got listing.`,
  },
  {
    input: 'literal part of a composite key',
    projections: [
      { ...listing, key: ['args.listingId', 'v1'], on: { Listed: { set: { price: 'args.price' } } } },
    ],
    message: `${P}.key[1] must be an event reference (args.<name>, block.number, block.timestamp, block.hash, tx.hash, log.address, log.index, event.id), not a literal: a literal would put every event in one entity. Got v1.`,
  },
  {
    input: 'key given as a number',
    projections: [{ ...listing, key: 7, on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.key must be an event reference (args.<name>, tx.hash, …) or a list of them. Got 7.`,
  },
  {
    input: 'empty composite key',
    projections: [{ ...listing, key: [], on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.key must list at least one value. Got [].`,
  },
  {
    input: 'missing key',
    projections: [{ name: 'Listing', on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.key is required.`,
  },
  {
    input: 'key of a tuple argument',
    projections: [{ ...listing, key: 'args.order', on: { Bid: { set: { note: 'args.note' } } } }],
    message: `${P}.key must refer to a single value (uint/int, address, bool, bytes or string); args.order of Bid is a tuple (name one of its fields with a dot). Got args.order.`,
  },
  {
    input: 'key with two types across events',
    projections: on({ Listed: { add: { moves: 1 } }, Moved: { add: { moves: 1 } } }),
    message: `${P}.key must have one type in every event: args.listingId is BigInt in an earlier event of on and Hex in Moved.`,
  },
  {
    input: 'composite key whose parts end in the same name',
    projections: [
      { ...listing, key: ['args.id', 'args.order.id'], on: { Bid: { set: { note: 'args.note' } } } },
    ],
    message: `${P}.key[1] makes a second key field named id; key parts must end in different names. Got args.order.id.`,
  },
  {
    input: 'key field with a reserved name',
    projections: [{ ...listing, key: 'args.cursor', on: { Flagged: { add: { flags: 1 } } } }],
    message: `${P}.key makes a key field named cursor, which is taken: cursor is a field of every entity and update. Key fields are named after the last part of the reference. Got args.cursor.`,
  },
  {
    input: 'key field named like the entity of an update',
    projections: [{ ...listing, key: 'args.entity', on: { Flagged: { add: { flags: 1 } } } }],
    message: `${P}.key makes a key field named entity, which is taken: entity is a field of every update. Key fields are named after the last part of the reference. Got args.entity.`,
  },
  {
    input: 'key field named like the chainId argument',
    projections: [
      { ...listing, key: ['args.listingId', 'args.chainId'], on: { Flagged: { add: { flags: 1 } } } },
    ],
    message: `${P}.key[1] makes a key field named chainId, which is taken: chainId is an argument of the entity's query and subscription. Key fields are named after the last part of the reference. Got args.chainId.`,
  },
  {
    input: 'field named null',
    projections: on({ Listed: { set: { null: 'args.price' } } }),
    message: `${P}.on.Listed.set.null is a field name GraphQL cannot order by (true, false and null are not enum values). Got null.`,
  },
  {
    input: 'the same field given two types across events',
    projections: on({
      Listed: { set: { owner: 'args.seller' } },
      PriceChanged: { set: { owner: 'args.newPrice' } },
    }),
    message: `${P}.on.PriceChanged.set.owner gives field owner the type BigInt, but ${P}.on.Listed.set.owner gives it Address: a field has one type in every event.`,
  },
  {
    input: 'the same field in set and add of one event',
    projections: on({ Sold: { set: { volume: 'args.price' }, add: { volume: 'args.price' } } }),
    message: `${P}.on.Sold.add.volume is also written by set of Sold; an event writes a field once (with one of set, add and sub).`,
  },
  {
    input: 'the same field in add and sub of one event',
    projections: on({ Sold: { add: { volume: 'args.price' }, sub: { volume: 1 } } }),
    message: `${P}.on.Sold.sub.volume is also written by add of Sold; an event writes a field once (with one of set, add and sub).`,
  },
  {
    input: 'delete combined with set',
    projections: on({ Cancelled: { delete: true, set: { active: false } } }),
    message: `${P}.on.Cancelled.delete cannot be combined with set, add or sub in the same event: delete removes the entity, so the writes would be lost. Got set/add/sub next to delete: true.`,
  },
  {
    input: 'empty handler',
    projections: on({ Cancelled: {} }),
    message: `${P}.on.Cancelled must have set, add or sub (field → value) or delete: true. Got an empty handler.`,
  },
  {
    input: 'empty set',
    projections: on({ Cancelled: { set: {} } }),
    message: `${P}.on.Cancelled.set must name at least one field. Got {}.`,
  },
  {
    input: 'handler that is not an object',
    projections: on({ Cancelled: 'delete' }),
    message: `${P}.on.Cancelled must be object. Got delete.`,
  },
  {
    input: 'empty on',
    projections: on({}),
    message: `${P}.on must name at least one event. Got {}.`,
  },
  {
    input: 'missing on',
    projections: [listing],
    message: `${P}.on is required.`,
  },
  {
    input: 'duplicate projection name',
    projections: [
      { ...listing, on: { Listed: { set: { price: 'args.price' } } } },
      { ...listing, on: { Sold: { set: { sold: true } } } },
    ],
    message: 'chains[0].contracts[0].projections[1].name must be unique per contract. Got Listing twice.',
  },
  {
    input: 'lower-case projection name',
    projections: [{ ...listing, name: 'listing', on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.name must start with an upper-case letter and contain only letters and digits. Got listing.`,
  },
  {
    input: 'projection name with _',
    projections: [{ ...listing, name: 'Open_Listing', on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P}.name must start with an upper-case letter and contain only letters and digits. Got Open_Listing.`,
  },
  {
    input: 'unknown projection field',
    projections: [{ ...listing, keys: 'args.listingId', on: { Listed: { set: { price: 'args.price' } } } }],
    message: `${P} has unknown field keys (a projection takes name, key and on).`,
  },
  {
    input: 'bad field name',
    projections: on({ Listed: { set: { 'list-price': 'args.price' } } }),
    message: `${P}.on.Listed.set.list-price is not a valid field name: it must start with a letter and contain only letters, digits and _. Got list-price.`,
  },
  {
    input: 'field name starting with _',
    projections: on({ Listed: { add: { _count: 1 } } }),
    message: `${P}.on.Listed.add._count is not a valid field name: it must start with a letter and contain only letters, digits and _. Got _count.`,
  },
  ...['cursor', 'updatedAtBlock', 'deleted'].map((field) => ({
    input: `reserved field name ${field}`,
    projections: on({ Listed: { set: { [field]: 'block.number' } } }),
    message: `${P}.on.Listed.set.${field} uses a reserved field name (cursor, updatedAtBlock, deleted are on every entity). Got ${field}.`,
  })),
  {
    input: 'key field written by set',
    projections: on({ Listed: { set: { listingId: 'args.listingId' } } }),
    message: `${P}.on.Listed.set.listingId writes the key field listingId; key fields get their values from \`key\` only.`,
  },
  {
    input: 'key field written by add',
    projections: on({ Listed: { add: { listingId: 1 } } }),
    message: `${P}.on.Listed.add.listingId writes the key field listingId; key fields get their values from \`key\` only.`,
  },
  {
    input: 'unknown handler operation inc',
    projections: on({ Listed: { inc: { listings: 1 } } }),
    message: `${P}.on.Listed has unknown field inc (a handler takes set, add, sub and delete).`,
  },
  {
    input: 'delete: false',
    projections: on({ Cancelled: { delete: false } }),
    message: `${P}.on.Cancelled.delete must be true (leave it out to keep the entity). Got false.`,
  },
  {
    input: 'non-integer number literal',
    projections: on({ Listed: { set: { fee: 2.5 } } }),
    message: `${P}.on.Listed.set.fee must be an integer between -9007199254740991 and 9007199254740991 when written as a number (a number is a BigInt value; quote it to store it as a String). Got 2.5.`,
  },
  {
    input: 'integer literal beyond 2^53',
    projections: on({ Listed: { add: { fee: 2 ** 60 } } }),
    message: `${P}.on.Listed.add.fee must be an integer between -9007199254740991 and 9007199254740991 when written as a number (a number is a BigInt value; quote it to store it as a String). Got 1152921504606847000.`,
  },
  {
    input: 'null value',
    projections: on({ Listed: { set: { buyer: null } } }),
    message: `${P}.on.Listed.set.buyer must be an event reference (args.<name>, block.number, …), a string, an integer or a boolean. Got null.`,
  },
  {
    input: 'unknown reference block.foo',
    projections: on({ Listed: { set: { at: 'block.foo' } } }),
    message: `${P}.on.Listed.set.at is not a known reference (args.<name>, block.number, block.timestamp, block.hash, tx.hash, log.address, log.index, event.id). Got block.foo.`,
  },
  {
    input: 'unknown reference tx.from',
    projections: on({ Listed: { set: { sender: 'tx.from' } } }),
    message: `${P}.on.Listed.set.sender is not a known reference (args.<name>, block.number, block.timestamp, block.hash, tx.hash, log.address, log.index, event.id). Got tx.from.`,
  },
  {
    input: 'unknown reference as a key',
    projections: [{ ...listing, key: 'log.topic0', on: { Listed: { add: { n: 1 } } } }],
    message: `${P}.key is not a known reference (args.<name>, block.number, block.timestamp, block.hash, tx.hash, log.address, log.index, event.id). Got log.topic0.`,
  },
];

describe('projections config', () => {
  it.each(badInputs)('refuses $input, naming the field and the reason', ({ projections, abi, message }) => {
    const refused = refusal(projections, abi);
    expect(refused.message).toBe(`Validation failed: ${message}`);
    expect(refused.error).toBeInstanceOf(ConfigError);
    expect((refused.error as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('settles the marketplace example: key and field types, additive fields, handlers', () => {
    const config = loadConfig(join(import.meta.dirname, '../../../examples/blockwire.yaml'), {});
    const market = config.chains[0]!.contracts.find((contract) => contract.name === 'Market')!;
    const [listingProjection, stats] = market.projections;
    expect(listingProjection!.keyFields).toEqual([{ name: 'listingId', type: 'BigInt' }]);
    expect(listingProjection!.fields).toEqual([
      { name: 'seller', type: 'Address', additive: false },
      { name: 'price', type: 'BigInt', additive: false },
      { name: 'active', type: 'Boolean', additive: false },
      { name: 'listedAt', type: 'BigInt', additive: false },
      { name: 'buyer', type: 'Address', additive: false },
      { name: 'volume', type: 'BigInt', additive: true },
    ]);
    expect(listingProjection!.handlers.get('Listed')).toEqual({
      event: 'Listed',
      key: [{ source: { kind: 'arg', path: ['listingId'] }, type: 'BigInt' }],
      set: [
        { field: 'seller', value: { source: { kind: 'arg', path: ['seller'] }, type: 'Address' } },
        { field: 'price', value: { source: { kind: 'arg', path: ['price'] }, type: 'BigInt' } },
        { field: 'active', value: { source: { kind: 'literal', value: 'true' }, type: 'Boolean' } },
        { field: 'listedAt', value: { source: { kind: 'block.timestamp' }, type: 'BigInt' } },
      ],
      add: [],
      delete: false,
    });
    expect(listingProjection!.handlers.get('Sold')!.add).toEqual([
      { field: 'volume', value: { source: { kind: 'arg', path: ['price'] }, type: 'BigInt' }, negate: false },
    ]);
    expect(listingProjection!.handlers.get('Cancelled')).toMatchObject({ delete: true, set: [], add: [] });
    expect(stats!.keyFields).toEqual([{ name: 'seller', type: 'Address' }]);
    expect(stats!.fields).toEqual([
      { name: 'listings', type: 'BigInt', additive: true },
      { name: 'sales', type: 'BigInt', additive: true },
      { name: 'volume', type: 'BigInt', additive: true },
    ]);
    expect([...stats!.handlers.keys()]).toEqual(['Listed', 'Sold']);
  });

  it('settles composite keys, context references, tuple fields, literals and sub', () => {
    const config = parse([
      {
        name: 'BidLog',
        key: ['args.listingId', 'tx.hash', 'log.index'],
        on: {
          Bid: {
            set: {
              bidder: 'args.order.bidder',
              orderId: 'args.order.id',
              note: 'args.note',
              flag: 'args.flag',
              block: 'block.hash',
              emitter: 'log.address',
              eventId: 'event.id',
              status: 'open',
              big: '123456789012345678901234567890',
              at: 'block.number',
            },
            sub: { balance: -5 },
          },
        },
      },
    ]);
    const [projection] = config.chains[0]!.contracts[0]!.projections;
    expect(projection!.keyFields).toEqual([
      { name: 'listingId', type: 'BigInt' },
      { name: 'txHash', type: 'Hex' },
      { name: 'logIndex', type: 'BigInt' },
    ]);
    expect(projection!.fields).toEqual([
      { name: 'bidder', type: 'Address', additive: false },
      { name: 'orderId', type: 'BigInt', additive: false },
      { name: 'note', type: 'String', additive: false },
      { name: 'flag', type: 'Boolean', additive: false },
      { name: 'block', type: 'Hex', additive: false },
      { name: 'emitter', type: 'Address', additive: false },
      { name: 'eventId', type: 'String', additive: false },
      { name: 'status', type: 'String', additive: false },
      { name: 'big', type: 'String', additive: false },
      { name: 'at', type: 'BigInt', additive: false },
      { name: 'balance', type: 'BigInt', additive: true },
    ]);
    const handler = projection!.handlers.get('Bid')!;
    expect(handler.key.map((value) => value.source)).toEqual([
      { kind: 'arg', path: ['listingId'] },
      { kind: 'tx.hash' },
      { kind: 'log.index' },
    ]);
    expect(handler.set.find((write) => write.field === 'bidder')!.value.source).toEqual({
      kind: 'arg',
      path: ['order', 'bidder'],
    });
    expect(handler.set.find((write) => write.field === 'status')!.value.source).toEqual({
      kind: 'literal',
      value: 'open',
    });
    expect(handler.add).toEqual([
      { field: 'balance', value: { source: { kind: 'literal', value: '-5' }, type: 'BigInt' }, negate: true },
    ]);
  });

  it('keeps strings named like Object.prototype members as String literals', () => {
    const config = parse(on({ Listed: { set: { status: 'constructor', note: 'toString' } } }));
    expect(config.chains[0]!.contracts[0]!.projections[0]!.handlers.get('Listed')!.set).toEqual([
      { field: 'status', value: { source: { kind: 'literal', value: 'constructor' }, type: 'String' } },
      { field: 'note', value: { source: { kind: 'literal', value: 'toString' }, type: 'String' } },
    ]);
  });

  it('marks a field additive when one event sets it and another adds to it', () => {
    const config = parse(on({ Listed: { set: { volume: 0 } }, Sold: { add: { volume: 'args.price' } } }));
    expect(config.chains[0]!.contracts[0]!.projections[0]!.fields).toEqual([
      { name: 'volume', type: 'BigInt', additive: true },
    ]);
  });

  it('keeps a contract without projections at an empty list', () => {
    expect(parse(undefined).chains[0]!.contracts[0]!.projections).toEqual([]);
  });
});
