import type { Redis } from 'ioredis';
import {
  type ChainEvent,
  chainStatusKey,
  type EventChannelMessage,
  type EventStatus,
  epochKey,
  eventId,
  type HeadChannelMessage,
  headsChannel,
  type JsonValue,
  pendingChannel,
} from '../../../src/domain/index.ts';
import { contractSettingsKey } from '../../../src/process/lifecycle/processorSettings.ts';
import {
  type ApplySettings,
  buildApplyCall,
  prepareApply,
} from '../../../src/process/projection/prepareApply.ts';
import { defineProcessScripts } from '../../../src/process/scripts.ts';
import type { ResolvedConfig } from '../../../src/shared/config/index.ts';
import { pubSubModeOf } from '../../../src/shared/redis.ts';

/** What a test says about an event; everything else gets a plausible default. */
export type TestEventInput = {
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
  /** For a contract a factory created: its template (its ABI kind and projections apply). */
  template?: string;
};

/** An event the test processor applied, with its journal cursor (null for PENDING). */
export type TestEmitted = { event: ChainEvent; cursor: string | null };

/** Parameters of {@link createTestProcessor}. */
export type CreateTestProcessorParameters = {
  redis: Redis;
  config: ResolvedConfig;
  chainId: number;
};

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
 * Writes events into the gateway tests' Redis through the processor's own apply path: `prepareApply`,
 * `buildApplyCall` and the real `bwApply` and `bwChainStatus` Lua scripts, so the read model the
 * gateway is tested against is the one the processor writes (no second copy that could drift),
 * custom state of the configured projections included.
 * PENDING events are published on the pending channel, as the pending consumer does.
 */
export function createTestProcessor({ redis, config, chainId }: CreateTestProcessorParameters) {
  const keyPrefix = config.redis.keyPrefix;
  const pubsub = pubSubModeOf(config.redis);
  const scripts = defineProcessScripts(redis, pubsub);
  const settings: ApplySettings = {
    keyPrefix,
    epoch: 'gateway-tests',
    journalMaxEntries: config.process.journalMaxEntries,
    reorgWindowBlocks: config.process.reorgWindowBlocks,
  };
  const abiKinds = new Map(
    config.chains.flatMap((chain) =>
      chain.contracts.map((contract) => [
        `${chain.chainId}:${contract.address.toLowerCase()}`,
        contract.abiKind,
      ]),
    ),
  );
  const projectionsOf = new Map(
    config.chains.flatMap((chain) =>
      chain.contracts.map((contract) => [
        `${chain.chainId}:${contract.address.toLowerCase()}`,
        contract.projections,
      ]),
    ),
  );
  // The children of a factory are applied with their template's ABI kind and projections.
  for (const chain of config.chains)
    for (const template of chain.templates) {
      abiKinds.set(contractSettingsKey(chain.chainId, template.name, true), template.abiKind);
      projectionsOf.set(contractSettingsKey(chain.chainId, template.name, true), template.projections);
    }
  let block = 100;
  let logIndex = 0;

  const build = (input: TestEventInput): ChainEvent => {
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
      ...(input.template === undefined ? {} : { template: input.template }),
    };
  };

  return {
    /** Starts a new block: later events get the next block number and log index 0. */
    nextBlock(): number {
      block += 1;
      logIndex = 0;
      return block;
    },
    /** Applies one CONFIRMED or REMOVED event with the apply script, or publishes a PENDING one. */
    async emit(input: TestEventInput): Promise<TestEmitted> {
      const event = build(input);
      if (event.status === 'PENDING') {
        const message: EventChannelMessage = { kind: 'event', event, cursor: null };
        const channel = pendingChannel(keyPrefix, chainId, event.address);
        if (pubsub === 'sharded') await redis.spublish(channel, JSON.stringify(message));
        else await redis.publish(channel, JSON.stringify(message));
        return { event, cursor: null };
      }
      const settingsKey =
        event.template === undefined
          ? contractSettingsKey(chainId, event.address)
          : contractSettingsKey(chainId, event.template, true);
      const prepared = prepareApply({
        event,
        abiKind: abiKinds.get(settingsKey),
        projections: projectionsOf.get(settingsKey),
      });
      if (!prepared.ok) throw new Error(`The processor would dead-letter this event: ${prepared.reason}`);
      const [code, detail] = await scripts.bwApply(...buildApplyCall([prepared.value], settings));
      if (code === 'A') return { event, cursor: detail ?? null };
      if (code === 'D' || code === 'U') return { event, cursor: null };
      throw new Error(`The apply script refused ${event.id}: ${code} ${detail}`);
    },
    /** Records a confirmed checkpoint (publishing the head) and the chain processed up to it. */
    async head(blockNumber: number, head = blockNumber + 2): Promise<HeadChannelMessage> {
      const message: HeadChannelMessage = {
        kind: 'head',
        chainId,
        blockNumber,
        blockHash: hex32(blockNumber, 'b'),
        head,
      };
      const key = chainStatusKey(keyPrefix, chainId);
      const now = Date.now();
      await scripts.bwChainStatus(
        key,
        'checkpoint',
        blockNumber,
        message.blockHash,
        head,
        now,
        headsChannel(keyPrefix, chainId),
        JSON.stringify(message),
      );
      await scripts.bwChainStatus(key, 'processed', blockNumber, now);
      return message;
    },
    /** Writes the epoch marker: the projection is complete (what `/readyz` checks) and applies work. */
    async markReady(): Promise<void> {
      await redis.set(epochKey(keyPrefix), settings.epoch);
    },
  };
}

/** The test processor of one test file. */
export type TestProcessor = ReturnType<typeof createTestProcessor>;
