import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import {
  type ChainEvent,
  type EventChannelMessage,
  encodeEvent,
  eventKey,
  pendingChannel,
  topicNames,
} from '../../src/domain/index.ts';
import { createProcessor, type Processor } from '../../src/process/index.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent } from './support/events.ts';
import { createHarness, type Harness } from './support/harness.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;
const address = '0x00000000000000000000000000000000000000bb' as const;

function hash(block: number, fork = 0): `0x${string}` {
  return `0x${fork.toString(16).padStart(8, '0')}${block.toString(16).padStart(56, '0')}`;
}

function approval(blockNumber: number, logIndex: number, status: ChainEvent['status'], fork = 0): ChainEvent {
  return makeEvent({
    chainId,
    address,
    blockNumber,
    blockHash: hash(blockNumber, fork),
    logIndex,
    eventName: 'Approval',
    args: { owner: address, spender: address, value: String(blockNumber) },
    status,
  });
}

describe('process: pending events already confirmed', () => {
  let setup: TestConfig;
  let harness: Harness;
  let processor: Processor;
  let subscriber: Redis;
  const pending: string[] = [];

  beforeAll(async () => {
    const stack = getStack();
    setup = createTestConfig({
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      chainId,
      kinds: { [address]: 'erc20' },
    });
    harness = await createHarness({ config: setup.config, chainId });
    subscriber = new Redis(stack.redisUrl);
    subscriber.on('error', () => {});
    subscriber.on('message', (_channel, raw) => {
      const message = JSON.parse(raw) as EventChannelMessage;
      if (message.kind === 'event') pending.push(`${message.event.status} ${message.event.id}`);
    });
    await subscriber.subscribe(pendingChannel(setup.config.redis.keyPrefix, chainId, address));
    processor = createProcessor({
      config: setup.config,
      instanceId: 'stale',
      options: { sessionTimeoutMs: 8_000 },
    });
    await processor.start();
  });

  afterAll(async () => {
    await processor?.stop();
    subscriber?.disconnect();
    await harness?.close();
  });

  it('publishes no PENDING for an id or a block the contract already confirmed, and still publishes newer ones', async () => {
    const topics = topicNames(setup.config.kafka.topicPrefix);
    const key = eventKey(chainId, address);
    const send = (topic: string, events: ChainEvent[]) =>
      harness.producer.send({ topic, messages: events.map((event) => ({ key, value: encodeEvent(event) })) });

    // Blocks 10 and 11 are confirmed and applied.
    const confirmed = [
      approval(10, 0, 'CONFIRMED'),
      approval(11, 0, 'CONFIRMED'),
      approval(11, 1, 'CONFIRMED'),
    ];
    await send(topics.confirmed, confirmed);
    await waitFor(async () => (await harness.journal(address)).length === confirmed.length, {
      description: 'the confirmed events to be applied',
    });

    // The pending consumer starts at the latest offset once it joined: probe with fresh blocks
    // until one gets through.
    let probeBlock = 1_000;
    const probes: string[] = [];
    await waitFor(
      async () => {
        const probe = approval(probeBlock++, 0, 'PENDING');
        probes.push(probe.id);
        await send(topics.pending, [probe]);
        return pending.some((entry) => probes.some((id) => entry === `PENDING ${id}`));
      },
      { description: 'the pending consumer to forward a probe', timeoutMs: 60_000, intervalMs: 1_000 },
    );

    // Late redeliveries of PENDING events whose CONFIRMED was already applied, a PENDING of an
    // orphaned fork below the confirmed mark, then a PENDING of a block not confirmed yet.
    const stale = [approval(10, 0, 'PENDING'), approval(11, 1, 'PENDING'), approval(11, 0, 'PENDING', 1)];
    const fresh = approval(5_000, 0, 'PENDING');
    await send(topics.pending, [...stale, fresh]);
    // Same key, same partition: once the newer one arrived, the stale ones would have arrived before it.
    await waitFor(() => pending.includes(`PENDING ${fresh.id}`), {
      description: 'the PENDING of an unconfirmed block to be published',
    });
    for (const event of stale) expect(pending).not.toContain(`PENDING ${event.id}`);
  });
});
