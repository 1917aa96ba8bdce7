import { Redis } from 'ioredis';
import type { Admin, Kafka, Producer } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import {
  chainStatusKey,
  checkpointKey,
  encodeCheckpoint,
  encodeEvent,
  eventKey,
  pendingChannel,
  topicNames,
} from '../../src/domain/index.ts';
import { createCheckpointConsumer } from '../../src/process/checkpoint-consumer/index.ts';
import { createDlq } from '../../src/process/dlq/index.ts';
import { createPendingConsumer } from '../../src/process/pending-consumer/index.ts';
import { defineProcessScripts } from '../../src/process/scripts.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { makeEvent } from './support/events.ts';
import { type PrivateRedis, startPrivateRedis } from './support/privateRedis.ts';
import { createTopics } from './support/produce.ts';
import { createTestConfig, type TestConfig } from './support/testConfig.ts';

const chainId = 31337;
const address = '0x00000000000000000000000000000000000000aa' as const;

/** A logger whose lines the test can wait for (the retry loop announces each wait). */
function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'warn', base: undefined }, { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('process: a side consumer stopped while Redis refuses commits nothing it did not write', () => {
  let redis: PrivateRedis;
  let setup: TestConfig;
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  const clients: Redis[] = [];
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    const stack = getStack();
    redis = await startPrivateRedis();
    setup = createTestConfig({
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: redis.url,
      chainId,
      kinds: { [address]: 'erc20' },
      partitions: 1,
    });
    kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'stop-test', logger: createLogger('test') });
    await createTopics(kafka, setup.config);
    admin = kafka.admin();
    await admin.connect();
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => {});
    for (const client of clients) client.disconnect();
    await producer?.disconnect();
    const names = topicNames(setup.config.kafka.topicPrefix);
    await admin
      ?.deleteTopics({ topics: [names.confirmed, names.pending, names.checkpoints, names.dlq] })
      .catch(() => {});
    await admin?.disconnect();
    await redis?.stop();
  });

  function processRedis() {
    const client = defineProcessScripts(new Redis(redis.url, { maxRetriesPerRequest: 1 }));
    client.on('error', () => {});
    clients.push(client);
    return client;
  }

  async function committed(groupId: string, topic: string): Promise<bigint> {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return BigInt(entry?.partitions.find((p) => p.partition === 0)?.offset ?? '-1');
  }

  it('the pending consumer leaves unpublished PENDING events uncommitted and a restarted one publishes them', async () => {
    const topic = topicNames(setup.config.kafka.topicPrefix).pending;
    const groupId = randomId('pending-group');
    const keyPrefix = setup.config.redis.keyPrefix;
    const dlq = createDlq({ producer, topic: topicNames(setup.config.kafka.topicPrefix).dlq });
    const subscriber = new Redis(redis.url);
    subscriber.on('error', () => {});
    clients.push(subscriber);
    const received = new Set<string>();
    subscriber.on('message', (_channel, raw) => received.add(JSON.parse(raw).event.id));
    await subscriber.subscribe(pendingChannel(keyPrefix, chainId, address));

    let block = 1_000;
    const send = async () => {
      const event = makeEvent({
        chainId,
        address,
        blockNumber: block,
        blockHash: `0x${block.toString(16).padStart(64, '0')}`,
        logIndex: 0,
        eventName: 'Approval',
        args: { owner: address, spender: address, value: '1' },
        status: 'PENDING',
      });
      block++;
      const [meta] = await producer.send({
        topic,
        messages: [{ key: eventKey(chainId, address), value: encodeEvent(event) }],
      });
      return { id: event.id, offset: BigInt(meta!.baseOffset!) };
    };

    const first = capturingLogger();
    const consumer = createPendingConsumer({
      kafka,
      topic,
      groupId,
      redis: processRedis(),
      keyPrefix,
      dlq,
      logger: first.logger,
    });
    stops.push(() => consumer.stop());
    await consumer.start();
    // The group starts at the latest offset once it has joined: probe until a message gets through.
    const probes: string[] = [];
    await waitFor(
      async () => {
        probes.push((await send()).id);
        return probes.some((id) => received.has(id));
      },
      { description: 'the pending consumer to forward a probe', timeoutMs: 60_000, intervalMs: 1_000 },
    );
    // Probes sent before the group's start offset was resolved are never read. Once a last probe
    // gets through, every message before it in the partition has been handled.
    const last = await send();
    await waitFor(() => received.has(last.id), {
      description: 'a last probe to be forwarded',
      timeoutMs: 30_000,
    });

    await redis.kill();
    const unpublished = [await send(), await send(), await send()];
    await waitFor(() => first.lines.some((line) => line.includes('Could not publish pending events')), {
      description: 'the pending consumer to retry Redis',
      timeoutMs: 60_000,
    });
    await consumer.stop();

    expect(await committed(groupId, topic)).toBeLessThanOrEqual(unpublished[0]!.offset);

    await redis.restart();
    // Pub/sub keeps nothing for a channel nobody listens on: wait until the subscriber has
    // reconnected and subscribed again before anything is published.
    const probe = processRedis();
    await waitFor(
      async () => {
        const reply = (await probe.pubsub('NUMSUB', pendingChannel(keyPrefix, chainId, address))) as [
          string,
          number,
        ];
        return Number(reply[1]) > 0;
      },
      { description: 'the test subscriber to subscribe again on the restarted Redis', timeoutMs: 30_000 },
    );
    const second = createPendingConsumer({
      kafka,
      topic,
      groupId,
      redis: processRedis(),
      keyPrefix,
      dlq,
      logger: createLogger('test'),
    });
    stops.push(() => second.stop());
    await second.start();
    await waitFor(async () => unpublished.every(({ id }) => received.has(id)), {
      description: 'the restarted pending consumer to publish the events the stopped one could not',
      timeoutMs: 60_000,
    });
    await second.stop();
  });

  it('the checkpoint consumer leaves unwritten checkpoints uncommitted and a restarted one writes them', async () => {
    const topic = topicNames(setup.config.kafka.topicPrefix).checkpoints;
    const groupId = randomId('checkpoint-group');
    const keyPrefix = setup.config.redis.keyPrefix;
    const dlq = createDlq({ producer, topic: topicNames(setup.config.kafka.topicPrefix).dlq });
    await redis.kill();
    const [meta] = await producer.send({
      topic,
      messages: [
        {
          key: checkpointKey(chainId),
          value: encodeCheckpoint({
            v: 1,
            chainId,
            blockNumber: 4_242,
            blockHash: `0x${'ab'.repeat(32)}`,
            head: 4_250,
            updatedAt: Date.now(),
          }),
        },
      ],
    });
    const offset = BigInt(meta!.baseOffset!);

    const first = capturingLogger();
    const consumer = createCheckpointConsumer({
      kafka,
      topic,
      groupId,
      redis: processRedis(),
      keyPrefix,
      dlq,
      logger: first.logger,
      confirmedTopic: `${topic}.confirmed`,
      processorGroup: () => undefined,
    });
    stops.push(() => consumer.stop());
    await consumer.start();
    await waitFor(() => first.lines.some((line) => line.includes('Could not update chain status')), {
      description: 'the checkpoint consumer to retry Redis',
      timeoutMs: 60_000,
    });
    await consumer.stop();

    expect(await committed(groupId, topic)).toBeLessThanOrEqual(offset);

    await redis.restart();
    const second = createCheckpointConsumer({
      kafka,
      topic,
      groupId,
      redis: processRedis(),
      keyPrefix,
      dlq,
      logger: createLogger('test'),
      confirmedTopic: `${topic}.confirmed`,
      processorGroup: () => undefined,
    });
    stops.push(() => second.stop());
    await second.start();
    const reader = processRedis();
    await waitFor(
      async () => (await reader.hget(chainStatusKey(keyPrefix, chainId), 'confirmed')) === '4242',
      {
        description: 'the restarted checkpoint consumer to write the checkpoint the stopped one could not',
        timeoutMs: 60_000,
      },
    );
    await second.stop();
  });
});
