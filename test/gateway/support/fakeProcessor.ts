import type { Redis } from 'ioredis';
import {
  accountChannel,
  type ChainEvent,
  chainStatusKey,
  contractChannel,
  contractKeys,
  type EventChannelMessage,
  type EventStatus,
  encodeEvent,
  epochKey,
  eventId,
  type HeadChannelMessage,
  headsChannel,
  type JsonValue,
  pendingChannel,
} from '../../../src/domain/index.ts';

/** What a test says about an event; everything else gets a plausible default. */
export type FakeEventInput = {
  address: string;
  eventName: string | null;
  signature?: string | null;
  args?: Record<string, JsonValue | undefined>;
  status?: EventStatus;
  blockNumber?: number;
  logIndex?: number;
  blockTimestamp?: number;
  decoded?: boolean;
  data?: `0x${string}`;
};

/** An event written by the fake processor, with its journal cursor (null for PENDING). */
export type FakeEmitted = { event: ChainEvent; cursor: string | null };

const signatures: Record<string, string> = {
  Transfer: 'Transfer(address,address,uint256)',
  Approval: 'Approval(address,address,uint256)',
  TransferSingle: 'TransferSingle(address,address,address,uint256,uint256)',
  TransferBatch: 'TransferBatch(address,address,address,uint256[],uint256[])',
};

function hex32(n: number, salt: string): `0x${string}` {
  return `0x${(salt + n.toString(16)).padStart(64, '0').slice(-64)}`;
}

/**
 * Plays the processor's part of the Redis contract (see the common brief): for each CONFIRMED or
 * REMOVED event it XADDs the journal entry (`e` = encodeEvent) with id `<block>-<logIndex>` (or the
 * next id after the last when that is not greater), updates `meta` and PUBLISHes the
 * `EventChannelMessage` on the contract channel and the from/to/operator account channels, in one
 * MULTI so journal and publish are atomic as with the real Lua script. PENDING events are only
 * published on the pending channel.
 */
export function createFakeProcessor({
  redis,
  keyPrefix,
  chainId,
}: {
  redis: Redis;
  keyPrefix: string;
  chainId: number;
}) {
  let block = 100;
  let logIndex = 0;

  const build = (input: FakeEventInput): ChainEvent => {
    const blockNumber = input.blockNumber ?? block;
    const index = input.logIndex ?? logIndex++;
    const blockHash = hex32(blockNumber, 'b');
    return {
      v: 1,
      id: eventId({ chainId, blockHash, logIndex: index }),
      status: input.status ?? 'CONFIRMED',
      chainId,
      blockNumber,
      blockHash,
      blockTimestamp: input.blockTimestamp ?? 1_700_000_000 + blockNumber,
      transactionHash: hex32(blockNumber * 1000 + index, 'c'),
      transactionIndex: 0,
      logIndex: index,
      address: input.address.toLowerCase() as `0x${string}`,
      eventName: input.eventName,
      signature:
        input.signature !== undefined
          ? input.signature
          : input.eventName
            ? (signatures[input.eventName] ?? null)
            : null,
      decoded: input.decoded ?? input.eventName !== null,
      args: (input.args ?? {}) as Record<string, JsonValue>,
      topics: [hex32(1, 'f')],
      data: input.data ?? '0x',
    };
  };

  const accountsOf = (event: ChainEvent): string[] => {
    const accounts = new Set<string>();
    for (const name of ['from', 'to', 'operator', 'owner', 'spender']) {
      const value = event.args[name];
      if (typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)) accounts.add(value.toLowerCase());
    }
    return [...accounts];
  };

  const lastIds = new Map<string, [bigint, bigint]>();

  return {
    /** Starts a new block: later events get the next block number and log index 0. */
    nextBlock(): number {
      block += 1;
      logIndex = 0;
      return block;
    },
    /** Writes and publishes one event the way the processor does. */
    async emit(input: FakeEventInput): Promise<FakeEmitted> {
      const event = build(input);
      if (event.status === 'PENDING') {
        const message: EventChannelMessage = { kind: 'event', event, cursor: null };
        await redis.publish(pendingChannel(keyPrefix, chainId, event.address), JSON.stringify(message));
        return { event, cursor: null };
      }
      const keys = contractKeys(keyPrefix, chainId, event.address);
      const last = lastIds.get(keys.journal) ?? [0n, 0n];
      const natural: [bigint, bigint] = [BigInt(event.blockNumber), BigInt(event.logIndex)];
      const greater = natural[0] > last[0] || (natural[0] === last[0] && natural[1] > last[1]);
      const id: [bigint, bigint] = greater ? natural : [last[0], last[1] + 1n];
      lastIds.set(keys.journal, id);
      const cursor = `${id[0]}-${id[1]}`;
      const message = JSON.stringify({ kind: 'event', event, cursor } satisfies EventChannelMessage);
      const multi = redis.multi();
      multi.xadd(keys.journal, cursor, 'e', encodeEvent(event));
      multi.hset(keys.meta, 'lastId', cursor, 'hwm', `${event.blockNumber}-${event.logIndex}`);
      multi.hincrby(keys.meta, 'count', 1);
      multi.hincrby(keys.counts, event.eventName ?? '__undecoded', 1);
      multi.publish(contractChannel(keyPrefix, chainId, event.address), message);
      for (const account of accountsOf(event))
        multi.publish(accountChannel(keyPrefix, chainId, account), message);
      await multi.exec();
      return { event, cursor };
    },
    /** Publishes a confirmed head and records the chain status. */
    async head(blockNumber: number, head = blockNumber + 2): Promise<HeadChannelMessage> {
      const message: HeadChannelMessage = {
        kind: 'head',
        chainId,
        blockNumber,
        blockHash: hex32(blockNumber, 'b'),
        head,
      };
      await redis
        .multi()
        .hset(chainStatusKey(keyPrefix, chainId), {
          head: String(head),
          confirmed: String(blockNumber),
          confirmedHash: message.blockHash,
          processedBlock: String(blockNumber),
          updatedAt: String(Date.now()),
        })
        .publish(headsChannel(keyPrefix, chainId), JSON.stringify(message))
        .exec();
      return message;
    },
    /** Marks the projection complete (what `/readyz` checks). */
    async markReady(): Promise<void> {
      await redis.set(epochKey(keyPrefix), String(Date.now()));
    },
    keys: (address: string) => contractKeys(keyPrefix, chainId, address),
  };
}

/** The fake processor of one test. */
export type FakeProcessor = ReturnType<typeof createFakeProcessor>;
