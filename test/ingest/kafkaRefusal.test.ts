import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  seededTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { demoContractEntries, ingestConfig } from './support/ingestHarness.ts';
import { testLogger } from './support/testLogger.ts';

describe('ingest on a Kafka error that may not be retried', () => {
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'refusal-test' });
  const prefix = randomId('ingest-refused');
  const topics = topicNames(prefix);
  let chain: TestChain;
  let contracts: DemoContracts;
  let ingest: Ingest | undefined;

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    await seededTraffic(
      { publicClient: chain.publicClient, wallets: chain.walletClients.slice(1, 5), contracts },
      6,
      1,
    );
    // An operator's topic that accepts no record of an event's size: the broker answers every send
    // with MESSAGE_TOO_LARGE, which kafkajs marks not retriable. The ingestor leaves existing topics
    // as they are.
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: topics.confirmed,
            numPartitions: 3,
            configEntries: [{ name: 'max.message.bytes', value: '64' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  });

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  it('stops the role with the broker reason instead of restarting the chain session forever', async () => {
    const config = ingestConfig({
      rpcHttp: chain.rpcHttp,
      chainId: chain.chainId,
      contracts: demoContractEntries(contracts),
      confirmations: 0,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      pollIntervalMs: 100,
    });
    ingest = createIngest({ config, lockTtlMs: 3_000, logger: testLogger('refused') });
    await ingest.start();

    // Today's behaviour was a session restart every few seconds, forever: `done` never settled.
    const error = await ingest.done.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({
      code: 'KAFKA_NOT_RETRIABLE',
      retriable: false,
      message: expect.stringMatching(/^Publishing up to block \d+ failed: .*\(MESSAGE_TOO_LARGE\)/),
    });
  });
});
