import { createSeededRandom } from '../../../src/dev-stack/createSeededRandom.ts';
import {
  type ChainEvent,
  checkpointKey,
  encodeCheckpoint,
  encodeEvent,
  eventKey,
  type TopicNames,
} from '../../../src/domain/index.ts';
import { makeEvent, zeroAddress } from './events.ts';
import { type KindByAddress, referenceModel } from './referenceModel.ts';

/** A Kafka record to produce. */
export type TestRecord = { topic: string; key: string; value: string };

/** Contracts of a scenario. */
export type ScenarioContracts = {
  erc20: `0x${string}`;
  erc721: `0x${string}`;
  erc1155: `0x${string}`;
  custom: `0x${string}`;
};

/** A generated chain history: records in production order and the canonical events that remain. */
export type Scenario = {
  /** Appends `count` blocks with 1–`maxEvents` events each. */
  blocks(count: number, maxEvents?: number): void;
  /** Appends `count` blocks without events (only their checkpoints are produced). */
  emptyBlocks(count: number): void;
  /** Orphans the last `depth` blocks (REMOVED newest first) and appends `depth + 1` canonical blocks. */
  reorg(depth: number): void;
  /** Takes the records produced since the last call. */
  drain(): TestRecord[];
  canonical(): ChainEvent[];
  kinds: KindByAddress;
  contracts: ScenarioContracts;
};

/** Parameters of {@link createScenario}. */
export type CreateScenarioParameters = {
  chainId: number;
  topics: TopicNames;
  seed: number;
  accounts?: number;
};

const big = (2n ** 256n - 1n).toString();

/**
 * Generates a realistic, deterministic event history for one ERC-20, ERC-721, ERC-1155 and custom
 * contract: mints and burns through the zero address, transfers of what holders own (including whole
 * balances), approvals, batch transfers, uint256 extremes, undecoded logs, and deep reorgs.
 */
export function createScenario({
  chainId,
  topics,
  seed,
  accounts: accountCount = 12,
}: CreateScenarioParameters): Scenario {
  const random = createSeededRandom(seed);
  const hex = (bytes: number) => {
    let out = '0x';
    for (let i = 0; i < bytes; i++) out += random.int(0, 255).toString(16).padStart(2, '0');
    return out as `0x${string}`;
  };
  const contracts: ScenarioContracts = { erc20: hex(20), erc721: hex(20), erc1155: hex(20), custom: hex(20) };
  const kinds: KindByAddress = {
    [contracts.erc20]: 'erc20',
    [contracts.erc721]: 'erc721',
    [contracts.erc1155]: 'erc1155',
    [contracts.custom]: 'custom',
  };
  const accounts = Array.from({ length: accountCount }, () => hex(20));
  const blocks: { number: number; hash: `0x${string}`; events: ChainEvent[] }[] = [];
  let records: TestRecord[] = [];
  let nextBlock = 100;
  let nextTokenId = 1n;
  let hugeMinted = false;
  // Generation state, recomputed from the canonical events after a reorg.
  let erc20 = new Map<string, bigint>();
  let owners = new Map<string, string>();
  let multi = new Map<string, bigint>();

  const amount = (max?: bigint): bigint => {
    const value = BigInt(random.int(1, 1_000_000)) * 10n ** BigInt(random.int(0, 30));
    if (max === undefined) return random.next() < 0.02 ? 2n ** 200n + value : value;
    return max <= 1n ? max : random.next() < 0.2 ? max : 1n + (value % max);
  };
  const positive = (map: Map<string, bigint>) => [...map.entries()].filter(([, value]) => value > 0n);

  function resync(): void {
    const model = referenceModel(canonicalEvents(), kinds);
    erc20 = new Map(Object.entries(model[contracts.erc20]?.balances ?? {}).map(([k, v]) => [k, BigInt(v)]));
    owners = new Map(Object.entries(model[contracts.erc721]?.owners ?? {}));
    multi = new Map(
      Object.entries(model[contracts.erc1155]?.multiBalances ?? {}).map(([k, v]) => [k, BigInt(v)]),
    );
  }

  function nextEvent(base: { blockNumber: number; blockHash: `0x${string}`; logIndex: number }): ChainEvent {
    const roll = random.next();
    const common = { chainId, ...base };
    if (roll < 0.4) {
      const holders = positive(erc20);
      const mode =
        holders.length === 0 || random.next() < 0.25 ? 'mint' : random.next() < 0.15 ? 'burn' : 'move';
      let from = zeroAddress as string;
      let to = random.pick(accounts) as string;
      let value: bigint;
      if (mode === 'mint') {
        // One quarter-of-uint256 mint at most, so the total supply stays a valid uint256.
        value = !hugeMinted && random.next() < 0.01 ? BigInt(big) / 4n : amount();
        if (value > 2n ** 250n) hugeMinted = true;
      } else {
        const [holder, balance] = random.pick(holders);
        from = holder;
        value = amount(balance);
        if (mode === 'burn') to = zeroAddress;
      }
      if (from !== zeroAddress) erc20.set(from, (erc20.get(from) ?? 0n) - value);
      if (to !== zeroAddress) erc20.set(to, (erc20.get(to) ?? 0n) + value);
      return makeEvent({
        ...common,
        address: contracts.erc20,
        eventName: 'Transfer',
        args: { from, to, value: value.toString() },
      });
    }
    if (roll < 0.45) {
      const owner = random.pick(accounts);
      return makeEvent({
        ...common,
        address: contracts.erc20,
        eventName: 'Approval',
        args: { owner, spender: random.pick(accounts), value: amount().toString() },
      });
    }
    if (roll < 0.7) {
      const owned = [...owners.entries()];
      const mint = owned.length === 0 || random.next() < 0.3;
      if (mint) {
        const tokenId = random.next() < 0.05 ? (2n ** 256n - nextTokenId).toString() : nextTokenId.toString();
        nextTokenId++;
        const to = random.pick(accounts);
        owners.set(tokenId, to);
        return makeEvent({
          ...common,
          address: contracts.erc721,
          eventName: 'Transfer',
          args: { from: zeroAddress, to, tokenId },
        });
      }
      const [tokenId, from] = random.pick(owned);
      const to = random.next() < 0.15 ? zeroAddress : random.pick(accounts);
      if (to === zeroAddress) owners.delete(tokenId);
      else owners.set(tokenId, to);
      return makeEvent({
        ...common,
        address: contracts.erc721,
        eventName: 'Transfer',
        args: { from, to, tokenId },
      });
    }
    if (roll < 0.93) {
      const held = positive(multi);
      const batch = random.next() < 0.35;
      const operator = random.pick(accounts);
      let from = zeroAddress as string;
      let to = random.pick(accounts) as string;
      const ids: string[] = [];
      const values: string[] = [];
      if (held.length === 0 || random.next() < 0.35) {
        const n = batch ? random.int(2, 3) : 1;
        const usedIds = new Set<string>();
        for (let i = 0; i < n; i++) {
          const id = random.next() < 0.05 ? big : String(random.int(1, 6));
          if (usedIds.has(id)) continue;
          usedIds.add(id);
          ids.push(id);
          values.push(amount().toString());
        }
      } else {
        const [field, balance] = random.pick(held);
        const [id, holder] = field.split(':') as [string, string];
        from = holder;
        if (random.next() < 0.15) to = zeroAddress;
        ids.push(id);
        values.push(amount(balance).toString());
      }
      ids.forEach((id, i) => {
        const value = BigInt(values[i]!);
        if (from !== zeroAddress) multi.set(`${id}:${from}`, (multi.get(`${id}:${from}`) ?? 0n) - value);
        if (to !== zeroAddress) multi.set(`${id}:${to}`, (multi.get(`${id}:${to}`) ?? 0n) + value);
      });
      if (ids.length === 1 && !batch)
        return makeEvent({
          ...common,
          address: contracts.erc1155,
          eventName: 'TransferSingle',
          args: { operator, from, to, id: ids[0]!, value: values[0]! },
        });
      return makeEvent({
        ...common,
        address: contracts.erc1155,
        eventName: 'TransferBatch',
        args: { operator, from, to, ids, values },
      });
    }
    if (roll < 0.97)
      return makeEvent({
        ...common,
        address: contracts.custom,
        eventName: 'Ping',
        args: { n: String(random.int(0, 1000)) },
      });
    return makeEvent({ ...common, address: contracts.custom, eventName: null });
  }

  function canonicalEvents(): ChainEvent[] {
    return blocks.flatMap((block) => block.events);
  }

  function appendBlock(maxEvents: number): void {
    const number = nextBlock++;
    const hash = hex(32);
    const events: ChainEvent[] = [];
    const n = maxEvents === 0 ? 0 : random.int(1, maxEvents);
    for (let logIndex = 0; logIndex < n; logIndex++)
      events.push(nextEvent({ blockNumber: number, blockHash: hash, logIndex }));
    blocks.push({ number, hash, events });
    for (const event of events)
      records.push({
        topic: topics.confirmed,
        key: eventKey(chainId, event.address),
        value: encodeEvent(event),
      });
    records.push({
      topic: topics.checkpoints,
      key: checkpointKey(chainId),
      value: encodeCheckpoint({
        v: 1,
        chainId,
        blockNumber: number,
        blockHash: hash,
        head: number + 2,
        updatedAt: Date.now(),
      }),
    });
  }

  return {
    contracts,
    kinds,
    blocks(count, maxEvents = 6) {
      for (let i = 0; i < count; i++) appendBlock(maxEvents);
    },
    emptyBlocks(count) {
      for (let i = 0; i < count; i++) appendBlock(0);
    },
    reorg(depth) {
      const orphaned = blocks.splice(blocks.length - depth, depth);
      for (const block of [...orphaned].reverse())
        for (const event of [...block.events].reverse())
          records.push({
            topic: topics.confirmed,
            key: eventKey(chainId, event.address),
            value: encodeEvent({ ...event, status: 'REMOVED' }),
          });
      nextBlock = orphaned[0]!.number;
      resync();
      for (let i = 0; i <= depth; i++) appendBlock(6);
    },
    drain() {
      const out = records;
      records = [];
      return out;
    },
    canonical: canonicalEvents,
  };
}
