import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Address, PublicClient } from 'viem';
import { type ChainEvent, decodeEventRecord, eventId } from '../../../src/domain/index.ts';
import { consumeToEnd } from '../../../src/ingest/kafka-read/consumeToEnd.ts';
import { parseConfig, type ResolvedConfig } from '../../../src/shared/config/index.ts';
import { randomId } from '../../support/random.ts';

/** A contract entry of a test config. */
export type TestContract = { name: string; address: Address; abi: string; startBlock: bigint | number };

/** Config entries of the three demo contracts (names Token, Nft, Multi), from their deployment. */
export function demoContractEntries(contracts: {
  erc20: { address: Address; startBlock: bigint };
  erc721: { address: Address; startBlock: bigint };
  erc1155: { address: Address; startBlock: bigint };
}): TestContract[] {
  return [
    { name: 'Token', address: contracts.erc20.address, abi: 'erc20', startBlock: contracts.erc20.startBlock },
    {
      name: 'Nft',
      address: contracts.erc721.address,
      abi: 'erc721',
      startBlock: contracts.erc721.startBlock,
    },
    {
      name: 'Multi',
      address: contracts.erc1155.address,
      abi: 'erc1155',
      startBlock: contracts.erc1155.startBlock,
    },
  ];
}

/** Parameters of {@link writeIngestConfig}. */
export type IngestConfigParameters = {
  rpcHttp: string;
  rpcWs?: string | undefined;
  chainId: number;
  contracts: TestContract[];
  confirmations: number;
  kafkaBrokers: string[];
  redisUrl: string;
  topicPrefix: string;
  keyPrefix: string;
  maxBlockRange?: number;
  pollIntervalMs?: number;
  /** `ingest.lockTtlMs`; omitted means the default. */
  lockTtlMs?: number;
  /** `kafka.eventsPerRecord`; omitted means the default (packed records). */
  eventsPerRecord?: number;
};

/** The raw config object of a one-chain test deployment. */
export function rawIngestConfig(parameters: IngestConfigParameters) {
  return {
    chains: [
      {
        chainId: parameters.chainId,
        rpc: { http: parameters.rpcHttp, ...(parameters.rpcWs ? { ws: parameters.rpcWs } : {}) },
        confirmations: parameters.confirmations,
        pollIntervalMs: parameters.pollIntervalMs ?? 250,
        maxBlockRange: parameters.maxBlockRange ?? 2000,
        contracts: parameters.contracts.map((contract) => ({
          name: contract.name,
          address: contract.address,
          abi: contract.abi,
          startBlock: Number(contract.startBlock),
        })),
      },
    ],
    kafka: {
      brokers: parameters.kafkaBrokers,
      topicPrefix: parameters.topicPrefix,
      partitions: 3,
      ...(parameters.eventsPerRecord ? { eventsPerRecord: parameters.eventsPerRecord } : {}),
    },
    redis: { url: parameters.redisUrl, keyPrefix: parameters.keyPrefix },
    ...(parameters.lockTtlMs ? { ingest: { lockTtlMs: parameters.lockTtlMs } } : {}),
  };
}

/** A validated one-chain config for in-process ingestors. */
export function ingestConfig(parameters: IngestConfigParameters): ResolvedConfig {
  return parseConfig({ raw: rawIngestConfig(parameters), baseDir: process.cwd() });
}

/** Writes the config to a temporary JSON file (for child-process ingestors) and returns its path. */
export function writeIngestConfig(parameters: IngestConfigParameters): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-ingest-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify(rawIngestConfig(parameters), null, 2));
  return path;
}

/**
 * One committed event of `events.confirmed` (or `events.pending`): the events of a packed record share
 * its offset and are told apart by `index`, their position in it (0 for a record of one event).
 */
export type ConfirmedRecord = {
  key: string;
  partition: number;
  offset: bigint;
  index: number;
  /** Events in the Kafka record that held this one. */
  recordEvents: number;
  event: ChainEvent;
};

/** Reads every committed event of a topic (read_committed) in partition order. */
export async function readCommittedEvents(kafka: Kafka, topic: string): Promise<ConfirmedRecord[]> {
  const records: ConfirmedRecord[] = [];
  await consumeToEnd({
    kafka,
    topic,
    groupId: randomId('ingest-test-read'),
    onMessage: (message, partition) => {
      const decoded = decodeEventRecord(message.value);
      if (!decoded.ok)
        throw new Error(`Undecodable record at ${partition}/${message.offset}: ${decoded.reason}`);
      for (const [index, event] of decoded.value.entries())
        records.push({
          key: message.key?.toString('utf8') ?? '',
          partition,
          offset: BigInt(message.offset),
          index,
          recordEvents: decoded.value.length,
          event,
        });
    },
  });
  return records.sort(
    (a, b) =>
      a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : a.index - b.index),
  );
}

/** What `eth_getLogs` says: ids of the canonical logs of the contracts up to `toBlock`, in chain order. */
export async function canonicalLogIds(
  client: PublicClient,
  chainId: number,
  addresses: Address[],
  toBlock: bigint,
  step = 50n,
): Promise<string[]> {
  const ids: { block: number; index: number; id: string }[] = [];
  for (let from = 0n; from <= toBlock; from += step) {
    const to = from + step - 1n < toBlock ? from + step - 1n : toBlock;
    const logs = await client.request({
      method: 'eth_getLogs',
      params: [{ fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, address: addresses }],
    });
    for (const log of logs) {
      const index = Number(BigInt(log.logIndex!));
      ids.push({
        block: Number(BigInt(log.blockNumber!)),
        index,
        id: eventId({ chainId, blockHash: log.blockHash!, logIndex: index }),
      });
    }
  }
  return ids.sort((a, b) => a.block - b.block || a.index - b.index).map((log) => log.id);
}

/**
 * Applies CONFIRMED/REMOVED records per key in topic order and returns the surviving event ids in
 * chain order, plus duplicates (an id confirmed twice without a REMOVED in between) and ordering
 * violations (a CONFIRMED that does not come after the previous one of its key in chain order).
 */
export function netConfirmedIds(records: ConfirmedRecord[]): {
  ids: string[];
  duplicates: string[];
  disorders: string[];
} {
  const live = new Map<string, ChainEvent>();
  const duplicates: string[] = [];
  const disorders: string[] = [];
  const lastByKey = new Map<string, ChainEvent>();
  for (const { key, event } of records) {
    if (event.status === 'CONFIRMED') {
      if (live.has(event.id)) duplicates.push(event.id);
      live.set(event.id, event);
      const last = lastByKey.get(key);
      if (
        last &&
        (last.blockNumber > event.blockNumber ||
          (last.blockNumber === event.blockNumber && last.logIndex >= event.logIndex))
      ) {
        disorders.push(`${last.id} before ${event.id}`);
      }
      lastByKey.set(key, event);
    } else if (event.status === 'REMOVED') {
      live.delete(event.id);
      lastByKey.delete(key);
    }
  }
  const ids = [...live.values()]
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex)
    .map((event) => event.id);
  return { ids, duplicates, disorders };
}
