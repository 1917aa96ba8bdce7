import { Redis } from 'ioredis';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { waitFor } from '../../../src/dev-stack/waitFor.ts';
import {
  accountChannel,
  contractChannel,
  contractKeys,
  decodeEvent,
  type EventChannelMessage,
  epochKey,
  metaFields,
  topicNames,
} from '../../../src/domain/index.ts';
import { projectionKeyPattern } from '../../../src/process/projection/projectionKeyPattern.ts';
import type { ResolvedConfig } from '../../../src/shared/config/index.ts';
import { createKafka } from '../../../src/shared/kafka.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import { createTopics } from './produce.ts';

/** One journal entry as read back from Redis. */
export type JournalEntry = { cursor: string; id: string; status: string };

/** Kafka and Redis clients of one test, with helpers to observe the processor's outcome. */
export type Harness = {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  redis: Redis;
  /** Messages received on the contract and account channels, in arrival order. */
  contractMessages: EventChannelMessage[];
  accountMessages: { channel: string; message: EventChannelMessage }[];
  journal(address: string): Promise<JournalEntry[]>;
  /** Sum of the journal entries appended across the given contracts. */
  appliedCount(addresses: string[]): Promise<number>;
  /** Waits until the current epoch's group committed every offset of events.confirmed. */
  waitForCommitted(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

/** Parameters of {@link createHarness}. */
export type CreateHarnessParameters = { config: ResolvedConfig; chainId: number; redisUrl?: string };

/** Connects the test's clients, creates its topics and subscribes to its channels. */
export async function createHarness({
  config,
  chainId,
  redisUrl,
}: CreateHarnessParameters): Promise<Harness> {
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: 'process-test',
    logger: createLogger('test'),
  });
  const admin = kafka.admin();
  await admin.connect();
  await createTopics(kafka, config);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const url = redisUrl ?? config.redis.url;
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  const subscriber = new Redis(url);
  subscriber.on('error', () => {});
  const keyPrefix = config.redis.keyPrefix;
  const contractPattern = contractChannel(keyPrefix, chainId, '*');
  const accountPattern = accountChannel(keyPrefix, chainId, '*', '*');
  const contractMessages: EventChannelMessage[] = [];
  const accountMessages: { channel: string; message: EventChannelMessage }[] = [];
  subscriber.on('pmessage', (pattern, channel, raw) => {
    const message = JSON.parse(raw) as EventChannelMessage;
    if (pattern === contractPattern) contractMessages.push(message);
    else accountMessages.push({ channel, message });
  });
  await subscriber.psubscribe(contractPattern, accountPattern);
  const topic = topicNames(config.kafka.topicPrefix).confirmed;
  const groupBase = config.process.groupId!;

  return {
    kafka,
    admin,
    producer,
    redis,
    contractMessages,
    accountMessages,
    async journal(address) {
      const entries = await redis.xrange(contractKeys(keyPrefix, chainId, address).journal, '-', '+');
      return entries.map(([cursor, fields]) => {
        const decoded = decodeEvent(fields[1]);
        if (!decoded.ok) throw new Error(`journal entry ${cursor} does not decode: ${decoded.reason}`);
        return { cursor, id: decoded.value.id, status: decoded.value.status };
      });
    },
    async appliedCount(addresses) {
      let total = 0;
      for (const address of addresses)
        total += Number(
          (await redis.hget(contractKeys(keyPrefix, chainId, address).meta, metaFields.appliedCount)) ?? 0,
        );
      return total;
    },
    async waitForCommitted(timeoutMs = 90_000) {
      await waitFor(
        async () => {
          const epoch = await redis.get(epochKey(keyPrefix));
          if (!epoch || epoch.startsWith('rebuilding:')) return false;
          const high = await admin.fetchTopicOffsets(topic);
          const [committed] = await admin.fetchOffsets({ groupId: `${groupBase}.${epoch}`, topics: [topic] });
          const byPartition = new Map(
            (committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]),
          );
          return high.every(
            ({ partition, high: end }) => end === '0' || (byPartition.get(partition) ?? -1n) >= BigInt(end),
          );
        },
        {
          description: 'the processor to commit every offset of events.confirmed',
          timeoutMs,
          intervalMs: 250,
        },
      );
    },
    async close() {
      subscriber.disconnect();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(
          cursor,
          'MATCH',
          projectionKeyPattern(keyPrefix),
          'COUNT',
          1000,
        );
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      const leftovers = await redis.keys(`${keyPrefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
      if (leftovers.length > 0) await redis.unlink(...leftovers);
      redis.disconnect();
      await producer.disconnect();
      const names = topicNames(config.kafka.topicPrefix);
      await admin
        .deleteTopics({ topics: [names.confirmed, names.pending, names.checkpoints, names.dlq] })
        .catch(() => {});
      await admin.disconnect();
    },
  };
}
