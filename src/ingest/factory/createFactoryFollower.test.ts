import { join } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, parseAbi } from 'viem';
import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import { parseConfig } from '../../shared/config/index.ts';
import { createLogger } from '../../shared/logger.ts';
import type { RawLog } from '../rpc/types.ts';
import { createFactoryFollower } from './createFactoryFollower.ts';

const abis = join(import.meta.dirname, '../../../examples/abis');
const factoryAddress = '0x00000000000000000000000000000000000000fa';
const tokenAddress = '0x00000000000000000000000000000000000000aa';
const pairAbi = parseAbi([
  'event PairCreated(address indexed token0, address pair, uint256 index)',
  'event Swap(address indexed sender, uint256 amount0, uint256 amount1)',
]);
const pairOf = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as `0x${string}`;
const hash = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as `0x${string}`;

function followerOf(filter = { maxAddressesPerCall: 2, topicOnlyAbove: 3 }) {
  const config = parseConfig({
    raw: {
      chains: [
        {
          chainId: 31337,
          rpc: { http: 'http://127.0.0.1:8545' },
          factoryLogFilter: filter,
          contracts: [
            { name: 'Token', address: tokenAddress, abi: 'erc20', startBlock: 5 },
            { name: 'PairFactory', address: factoryAddress, abi: join(abis, 'PairFactory.json') },
            {
              name: 'Pair',
              abi: join(abis, 'Pair.json'),
              factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
            },
          ],
        },
      ],
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379' },
    },
    baseDir: '.',
  });
  return createFactoryFollower({ chain: config.chains[0]!, logger: createLogger('test') });
}

const log = (
  address: `0x${string}`,
  block: number,
  index: number,
  topics: `0x${string}`[],
  data: `0x${string}`,
): RawLog => ({
  address,
  blockNumber: block,
  blockHash: hash(block),
  transactionHash: hash(1000 + block),
  transactionIndex: 0,
  logIndex: index,
  topics,
  data,
});
const creation = (pair: number, block: number, index = 0) =>
  log(
    factoryAddress,
    block,
    index,
    encodeEventTopics({
      abi: pairAbi,
      eventName: 'PairCreated',
      args: { token0: tokenAddress },
    }) as `0x${string}`[],
    encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [pairOf(pair), BigInt(pair)]),
  );
const swap = (pair: number, block: number, index = 1) =>
  log(
    pairOf(pair),
    block,
    index,
    encodeEventTopics({ abi: pairAbi, eventName: 'Swap', args: { sender: tokenAddress } }) as `0x${string}`[],
    encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }], [1n, 2n]),
  );

describe('factory follower', () => {
  it('follows the children of creation events and decodes their logs under the template', () => {
    const follower = followerOf();
    expect(follower.active).toBe(true);
    const created = follower.decode(creation(1, 10), 0, 'CONFIRMED');
    expect(created.eventName).toBe('PairCreated');
    expect(created.template).toBeUndefined();
    expect(follower.register([created]).map((child) => child.address)).toEqual([pairOf(1)]);
    // Again: nothing new.
    expect(follower.register([created])).toEqual([]);
    expect(follower.keeps(swap(1, 9))).toBe(false);
    expect(follower.keeps(swap(1, 10))).toBe(true);
    const event = follower.decode(swap(1, 10), 0, 'CONFIRMED');
    expect(event).toMatchObject({ eventName: 'Swap', template: 'Pair', decoded: true });
    // A configured contract is kept from its startBlock on, never as a child.
    expect(follower.isConfigured(tokenAddress)).toBe(true);
    expect(follower.isFactory(factoryAddress)).toBe(true);
    expect(follower.keeps({ ...swap(1, 4), address: tokenAddress })).toBe(false);
    expect(follower.keeps({ ...swap(1, 5), address: tokenAddress })).toBe(true);
  });

  it('writes a record per child it follows, and a tombstone when the creation is retracted', () => {
    const follower = followerOf();
    const created = follower.decode(creation(1, 10), 0, 'CONFIRMED');
    follower.register([created]);
    const [record] = follower.messagesOf([created]);
    expect(record!.key).toBe(`31337:${pairOf(1)}`);
    expect(JSON.parse(record!.value!)).toMatchObject({ address: pairOf(1), template: 'Pair', block: 10 });
    const removed: ChainEvent = { ...created, status: 'REMOVED' };
    expect(follower.unregister([removed]).map((child) => child.address)).toEqual([pairOf(1)]);
    expect(follower.keeps(swap(1, 11))).toBe(false);
    expect(follower.messagesOf([removed])).toEqual([{ key: `31337:${pairOf(1)}`, value: null }]);
  });

  it('does not record a second creation of an address it already follows', () => {
    const follower = followerOf();
    follower.register([follower.decode(creation(1, 10), 0, 'CONFIRMED')]);
    const again = follower.decode(creation(1, 12, 3), 0, 'CONFIRMED');
    expect(follower.register([again])).toEqual([]);
    expect(follower.messagesOf([again])).toEqual([]);
  });

  it('asks for children in chunks under the cap, leaving out those already asked, then by topic past the threshold', () => {
    const follower = followerOf({ maxAddressesPerCall: 2, topicOnlyAbove: 3 });
    follower.register([1, 2, 3].map((n) => follower.decode(creation(n, 10 + n, 0), 0, 'CONFIRMED')));
    expect(follower.childFilters(10)).toEqual([]);
    expect(follower.childFilters(12)).toEqual([{ kind: 'addresses', addresses: [pairOf(1), pairOf(2)] }]);
    expect(follower.childFilters(13, new Set([pairOf(1)]))).toEqual([
      { kind: 'addresses', addresses: [pairOf(2), pairOf(3)] },
    ]);
    follower.register([follower.decode(creation(4, 14), 0, 'CONFIRMED')]);
    const [byTopic] = follower.childFilters(20);
    expect(byTopic?.kind).toBe('topics');
  });
});
