import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChainEvent,
  contractChannel,
  contractKeys,
  decodeEvent,
  epochKey,
  metaFields,
  multiBalanceField,
  ownerTokensKey,
  tokenFields,
  topicNames,
} from '../../src/domain/index.ts';
import {
  buildApplyCall,
  type PreparedEvent,
  prepareApply,
} from '../../src/process/projection/prepareApply.ts';
import { defineProcessScripts, type ProcessScripts } from '../../src/process/scripts.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent, zeroAddress } from './support/events.ts';
import { createScenario } from './support/scenario.ts';

// The apply script takes a run of one contract's events per call. These tests pin down that a run
// behaves exactly like applying its events one call at a time.
const chainId = 31337;
const settingsFor = (keyPrefix: string) => ({
  keyPrefix,
  epoch: 'epoch-1',
  journalMaxEntries: 1_000_000,
  reorgWindowBlocks: 64,
});

/** Every key under a prefix with its full content, keyed without the prefix. */
async function dump(redis: Redis, prefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const key of (await redis.keys(`${prefix}*`)).sort()) {
    const type = await redis.type(key);
    const name = key.slice(prefix.length);
    if (type === 'hash') out[name] = await redis.hgetall(key);
    else if (type === 'zset') out[name] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'set') out[name] = (await redis.smembers(key)).sort();
    else if (type === 'stream') out[name] = await redis.xrange(key, '-', '+');
    else out[name] = await redis.get(key);
  }
  return out;
}

describe('apply script: runs of events', () => {
  let redis: Redis & ProcessScripts;
  const subscriber = new Redis(getStack().redisUrl);

  beforeAll(() => {
    redis = defineProcessScripts(new Redis(getStack().redisUrl));
  });
  afterAll(() => {
    redis.disconnect();
    subscriber.disconnect();
  });

  function prepare(events: ChainEvent[], kinds: Record<string, string>): PreparedEvent[] {
    return events.map((event) => {
      const prepared = prepareApply({
        event,
        abiKind: kinds[event.address] as 'erc20' | 'erc721' | 'erc1155' | 'custom',
      });
      if (!prepared.ok) throw new Error(prepared.reason);
      return prepared.value;
    });
  }

  async function applyInRuns(events: PreparedEvent[], keyPrefix: string, runLength: number) {
    const settings = settingsFor(keyPrefix);
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const codes: string[] = [];
    // Runs of one contract, in order, like the batch applier builds them from a partition.
    for (let i = 0; i < events.length; ) {
      const run = [events[i]!];
      while (run.length < runLength && events[i + run.length]?.contract === run[0]!.contract)
        run.push(events[i + run.length]!);
      i += run.length;
      const result = await redis.bwApply(...buildApplyCall(run, settings));
      for (let k = 0; k < result.length; k += 2) codes.push(result[k]!);
    }
    return codes;
  }

  it('leaves exactly the state that one-event calls leave, for a history with deep reorgs and redeliveries', async () => {
    const scenario = createScenario({ chainId, topics: topicNames('runs'), seed: 7, accounts: 15 });
    scenario.blocks(120, 6);
    scenario.reorg(3);
    scenario.blocks(40, 6);
    scenario.reorg(90);
    scenario.blocks(60, 6);
    const records = scenario.drain().filter((record) => record.topic === topicNames('runs').confirmed);
    const events = records.map((record) => {
      const decoded = decodeEvent(Buffer.from(record.value));
      if (!decoded.ok) throw new Error(decoded.reason);
      return decoded.value;
    });
    // Redeliveries: a slice of the history again, in the middle of it.
    const withRedeliveries = [...events.slice(0, 400), ...events.slice(250, 420), ...events.slice(400)];
    const single = randomId('runs-1');
    const batched = randomId('runs-200');
    const singleCodes = await applyInRuns(prepare(withRedeliveries, scenario.kinds), `${single}:`, 1);
    const batchedCodes = await applyInRuns(prepare(withRedeliveries, scenario.kinds), `${batched}:`, 200);
    expect(singleCodes.filter((code) => code === 'D').length).toBeGreaterThanOrEqual(170);
    expect(singleCodes.filter((code) => code === 'E')).toEqual([]);
    // The 90-block reorg reaches past the 64-block window: those REMOVED are not reversed ('U').
    expect(singleCodes).toContain('U');
    expect(batchedCodes).toEqual(singleCodes);
    const singleState = await dump(redis, `${single}:`);
    expect(Object.keys(singleState).length).toBeGreaterThan(20);
    expect(await dump(redis, `${batched}:`)).toEqual(singleState);
  });

  it('drops a duplicate, reverses a REMOVED and refuses the removed event again, all inside one run', async () => {
    const keyPrefix = `${randomId('run-dup')}:`;
    const token = `0x${'a1'.repeat(20)}` as const;
    const holder = `0x${'b2'.repeat(20)}`;
    const mint = makeEvent({
      chainId,
      address: token,
      blockNumber: 5,
      blockHash: `0x${'05'.repeat(32)}`,
      logIndex: 0,
      eventName: 'Transfer',
      args: { from: zeroAddress, to: holder, value: '1000000000000000000000000' },
    });
    const kinds = { [token]: 'erc20' };
    const run = prepare([mint, mint, { ...mint, status: 'REMOVED' }, mint], kinds);
    const channel = contractChannel(keyPrefix, chainId, token);
    const messages: string[] = [];
    await subscriber.subscribe(channel);
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));

    expect(await applyInRuns(run, keyPrefix, 10)).toEqual(['A', 'D', 'A', 'D']);
    const keys = contractKeys(keyPrefix, chainId, token);
    expect(await redis.hgetall(keys.balances)).toEqual({});
    expect(await redis.hget(keys.token, tokenFields.totalSupply)).toBe('0');
    // Net zero changes within a run are not written (readers take an absent field as 0).
    expect(Number((await redis.hget(keys.token, tokenFields.holders)) ?? 0)).toBe(0);
    expect(await redis.hgetall(keys.counts)).toEqual({});
    expect(await redis.smembers(keys.removed)).toEqual([mint.id]);
    expect(await redis.hgetall(keys.applied)).toEqual({});
    const journal = await redis.xrange(keys.journal, '-', '+');
    expect(journal.map(([cursor, fields]) => [cursor, JSON.parse(fields[1]!).status])).toEqual([
      ['5-0', 'CONFIRMED'],
      ['5-1', 'REMOVED'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(messages.map((message) => JSON.parse(message).cursor)).toEqual(['5-0', '5-1']);
    await subscriber.unsubscribe(channel);
  });

  it('fails only the event whose tokens-of set has the wrong type; the rest of the run applies', async () => {
    const keyPrefix = `${randomId('run-poison')}:`;
    const nft = `0x${'c3'.repeat(20)}` as const;
    const alice = `0x${'a0'.repeat(20)}`;
    const mallory = `0x${'e0'.repeat(20)}`;
    const mintTo = (to: string, tokenId: string, logIndex: number) =>
      makeEvent({
        chainId,
        address: nft,
        blockNumber: 9,
        blockHash: `0x${'09'.repeat(32)}`,
        logIndex,
        eventName: 'Transfer',
        args: { from: zeroAddress, to, tokenId },
      });
    await redis.set(ownerTokensKey(keyPrefix, chainId, nft, mallory), 'not a sorted set');
    const run = prepare([mintTo(alice, '1', 0), mintTo(mallory, '2', 1), mintTo(alice, '3', 2)], {
      [nft]: 'erc721',
    });
    const settings = settingsFor(keyPrefix);
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const result = await redis.bwApply(...buildApplyCall(run, settings));
    expect(result.filter((_, index) => index % 2 === 0)).toEqual(['A', 'E', 'A']);
    expect(result[3]).toMatch(/^WRONGTYPE/);
    const keys = contractKeys(keyPrefix, chainId, nft);
    expect(await redis.zrange(ownerTokensKey(keyPrefix, chainId, nft, alice), 0, -1)).toEqual(['1', '3']);
    expect(await redis.hget(keys.owners, '3')).toBe(alice);
    expect((await redis.xrange(keys.journal, '-', '+')).map(([cursor]) => cursor)).toEqual(['9-0', '9-2']);
    // The failed mint leaves no trace: supply, balances and holders count only the two applied mints.
    expect(await redis.hget(keys.owners, '2')).toBeNull();
    expect(await redis.hgetall(keys.balances)).toEqual({ [alice]: '2' });
    expect(
      await redis.hmget(keys.token, tokenFields.totalSupply, tokenFields.holders, tokenFields.transfers),
    ).toEqual(['2', '1', '2']);
  });

  it('rolls a failed event back to before it even when it changed a value twice (a self-transfer)', async () => {
    const keyPrefix = `${randomId('run-twice')}:`;
    const nft = `0x${'c4'.repeat(20)}` as const;
    const alice = `0x${'a0'.repeat(20)}`;
    const mallory = `0x${'e0'.repeat(20)}`;
    const transfer = (from: string, to: string, tokenId: string, blockNumber: number, logIndex: number) =>
      makeEvent({
        chainId,
        address: nft,
        blockNumber,
        blockHash: `0x${blockNumber.toString(16).padStart(2, '0').repeat(32)}`,
        logIndex,
        eventName: 'Transfer',
        args: { from, to, tokenId },
      });
    const settings = settingsFor(keyPrefix);
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const kinds = { [nft]: 'erc721' } as const;
    expect(
      await redis.bwApply(
        ...buildApplyCall(prepare([transfer(zeroAddress, mallory, '2', 9, 0)], kinds), settings),
      ),
    ).toEqual(['A', '9-0']);
    const malloryTokens = ownerTokensKey(keyPrefix, chainId, nft, mallory);
    await redis.del(malloryTokens);
    await redis.set(malloryTokens, 'not a sorted set');
    // The self-transfer takes mallory's balance down and up again before its tokens-of write fails.
    const run = prepare(
      [
        transfer(zeroAddress, alice, '3', 10, 0),
        transfer(mallory, mallory, '2', 10, 1),
        transfer(zeroAddress, alice, '4', 10, 2),
      ],
      kinds,
    );
    const result = await redis.bwApply(...buildApplyCall(run, settings));
    expect(result.filter((_, index) => index % 2 === 0)).toEqual(['A', 'E', 'A']);
    const keys = contractKeys(keyPrefix, chainId, nft);
    expect(await redis.hgetall(keys.balances)).toEqual({ [alice]: '2', [mallory]: '1' });
    expect(await redis.hget(keys.owners, '2')).toBe(mallory);
    expect(
      await redis.hmget(keys.token, tokenFields.totalSupply, tokenFields.holders, tokenFields.transfers),
    ).toEqual(['3', '2', '3']);
    expect((await redis.xrange(keys.journal, '-', '+')).map(([cursor]) => cursor)).toEqual([
      '9-0',
      '10-0',
      '10-2',
    ]);
  });

  it('stops the run on a bug in the script: earlier events stay applied, the failing one leaves no trace, a retry resumes', async () => {
    const keyPrefix = `${randomId('run-bug')}:`;
    const multi = `0x${'c5'.repeat(20)}` as const;
    const alice = `0x${'a1'.repeat(20)}`;
    const mintBatch = (logIndex: number, ids: string[], values: string[]) =>
      makeEvent({
        chainId,
        address: multi,
        blockNumber: 11,
        blockHash: `0x${'0b'.repeat(32)}`,
        logIndex,
        eventName: 'TransferBatch',
        args: { operator: alice, from: zeroAddress, to: alice, ids, values },
      });
    const events = [
      mintBatch(0, ['1'], ['5']),
      mintBatch(1, ['1', '2'], ['7', '9']),
      mintBatch(2, ['2'], ['4']),
    ];
    const run = prepare(events, { [multi]: 'erc1155' });
    // A value the script cannot compute with makes its arithmetic fail after the first id (7) was added:
    // a runtime error in the script, not bad data in Redis.
    const broken = run.map((event, index) =>
      index === 1 ? { ...event, payload: event.payload.map((value, at) => (at === 5 ? 'x' : value)) } : event,
    );
    const settings = settingsFor(keyPrefix);
    await redis.set(epochKey(keyPrefix), settings.epoch);
    const keys = contractKeys(keyPrefix, chainId, multi);
    await expect(redis.bwApply(...buildApplyCall(broken, settings))).rejects.toThrow(/^BWRETRY /);
    expect(await redis.hgetall(keys.multiBalances)).toEqual({ [multiBalanceField('1', alice)]: '5' });
    expect((await redis.xrange(keys.journal, '-', '+')).map(([cursor]) => cursor)).toEqual(['11-0']);
    expect(await redis.hget(keys.meta, metaFields.appliedCount)).toBe('1');
    // The processor retries the run: the applied event is a duplicate, the rest applies once.
    const retried = await redis.bwApply(...buildApplyCall(run, settings));
    expect(retried.filter((_, index) => index % 2 === 0)).toEqual(['D', 'A', 'A']);
    expect(await redis.hgetall(keys.multiBalances)).toEqual({
      [multiBalanceField('1', alice)]: '12',
      [multiBalanceField('2', alice)]: '13',
    });
    expect((await redis.xrange(keys.journal, '-', '+')).map(([cursor]) => cursor)).toEqual([
      '11-0',
      '11-1',
      '11-2',
    ]);
  });

  it('refuses the whole run with BWEPOCH when the epoch marker is gone, changing nothing', async () => {
    const keyPrefix = `${randomId('run-epoch')}:`;
    const token = `0x${'d4'.repeat(20)}` as const;
    const run = prepare(
      [
        makeEvent({
          chainId,
          address: token,
          blockNumber: 1,
          blockHash: `0x${'01'.repeat(32)}`,
          logIndex: 0,
          eventName: 'Transfer',
          args: { from: zeroAddress, to: `0x${'f5'.repeat(20)}`, value: '1' },
        }),
      ],
      { [token]: 'erc20' },
    );
    await expect(redis.bwApply(...buildApplyCall(run, settingsFor(keyPrefix)))).rejects.toThrow(/^BWEPOCH/);
    expect(await redis.keys(`${keyPrefix}*`)).toEqual([]);
  });
});
