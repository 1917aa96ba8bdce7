import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, type Hex, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileContracts } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { blockwireTopics, createKafka, ensureTopics } from '../../src/shared/kafka.ts';
import { mine, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  canonicalLogIds,
  ingestConfig,
  netConfirmedIds,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 2;
/** Logs per transaction (one block each), and bytes of each log's payload. */
const logsPerTx = 300;
const payloadBytes = 2_048;
const transactions = 3;

/**
 * Logs with large data make large events (the payload twice: as the log's data and as the decoded
 * argument, in hex): 300 of them in one block are about 2.6 MB, more than a record batch may hold
 * under the broker's default `max.message.bytes` (1 MB). The ingestor sizes its Kafka sends by bytes,
 * and by the topic's own limit when it is lower, so such blocks are published instead of refused.
 */
describe('ingest: logs with large data', () => {
  let chain: TestChain;
  let ingest: Ingest | undefined;
  let emitter: { address: Address; startBlock: bigint; abiFile: string };
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    const artifact = compileContracts({ sourcesDir: join(import.meta.dirname, 'contracts') }).BlobEmitter!;
    const wallet = chain.walletClients[0]!;
    const hash = await wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode });
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    const abiFile = join(mkdtempSync(join(tmpdir(), 'bw-abi-')), 'BlobEmitter.json');
    writeFileSync(abiFile, JSON.stringify(artifact.abi));
    emitter = { address: receipt.contractAddress!, startBlock: receipt.blockNumber, abiFile };
    const payload: Hex = toHex(new Uint8Array(payloadBytes).map((_, i) => i % 251));
    for (let i = 0; i < transactions; i++) {
      const tx = await wallet.writeContract({
        address: emitter.address,
        abi: artifact.abi,
        functionName: 'emitBlobs',
        args: [BigInt(logsPerTx), payload],
        gas: 16_000_000n,
      });
      const mined = await chain.publicClient.waitForTransactionReceipt({ hash: tx });
      expect(mined.status).toBe('success');
      expect(mined.logs).toHaveLength(logsPerTx);
    }
    await mine(chain.testClient, 10);
  }, 120_000);

  afterAll(async () => {
    await ingest?.stop();
    await chain?.stop();
  });

  it.each([
    { topicLimit: undefined, name: "under the broker's default max.message.bytes" },
    { topicLimit: 200_000, name: 'under a topic whose max.message.bytes is 200 KB' },
  ])('publishes blocks of megabytes of events $name', { timeout: 120_000 }, async ({ topicLimit }) => {
    const prefix = randomId('ingest-large');
    const topics = topicNames(prefix);
    if (topicLimit !== undefined) {
      const admin = kafka.admin();
      await admin.connect();
      const definitions = blockwireTopics({ topicPrefix: prefix, partitions: 3 }).map((topic) =>
        topic.topic === topics.confirmed
          ? {
              ...topic,
              configEntries: [
                ...(topic.configEntries ?? []),
                { name: 'max.message.bytes', value: String(topicLimit) },
              ],
            }
          : topic,
      );
      await ensureTopics({ admin, topics: definitions });
      await admin.disconnect();
    }
    const head = Number(await chain.publicClient.getBlockNumber());
    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: chain.rpcHttp,
        chainId: chain.chainId,
        contracts: [
          { name: 'Blobs', address: emitter.address, abi: emitter.abiFile, startBlock: emitter.startBlock },
        ],
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
      }),
      logger: testLogger('large-logs'),
    });
    await ingest.start();
    // A refused send stops the ingestor or keeps it retrying: either fails here, with its reason.
    await Promise.race([
      waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 90_000),
      ingest.done.then(() => {
        throw new Error('the ingestor stopped before its checkpoint reached the head');
      }),
    ]);
    await ingest.stop();
    ingest = undefined;

    const records = await readCommittedEvents(kafka, topics.confirmed);
    expect(records).toHaveLength(logsPerTx * transactions);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    expect(ids).toEqual(
      await canonicalLogIds(
        chain.publicClient,
        chain.chainId,
        [emitter.address],
        BigInt(head - confirmations),
      ),
    );
    const [first] = records;
    expect(first!.event).toMatchObject({ eventName: 'Blob', decoded: true });
    expect((first!.event.args.payload as string).length).toBe(2 + 2 * payloadBytes);
    // Each block's events are far more than one record batch may hold.
    const perBlock = Buffer.byteLength(JSON.stringify(records.slice(0, logsPerTx).map((r) => r.event)));
    expect(perBlock).toBeGreaterThan(2 * 1_048_588);
  });

  it("stops with an error naming the event when one event alone is over the topic's limit", {
    timeout: 60_000,
  }, async () => {
    const prefix = randomId('ingest-too-large');
    const topics = topicNames(prefix);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics({
      admin,
      topics: blockwireTopics({ topicPrefix: prefix, partitions: 3 }).map((topic) =>
        topic.topic === topics.confirmed
          ? {
              ...topic,
              configEntries: [...(topic.configEntries ?? []), { name: 'max.message.bytes', value: '4000' }],
            }
          : topic,
      ),
    });
    await admin.disconnect();
    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: chain.rpcHttp,
        chainId: chain.chainId,
        contracts: [
          { name: 'Blobs', address: emitter.address, abi: emitter.abiFile, startBlock: emitter.startBlock },
        ],
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
      }),
      logger: testLogger('large-logs'),
    });
    await ingest.start();
    await expect(ingest.done).rejects.toThrow(
      new RegExp(
        `event ${chain.chainId}:0x[0-9a-f]{64}:\\d+ \\(key ${chain.chainId}:${emitter.address.toLowerCase()}, block ${emitter.startBlock + 1n}\\) is \\d+ bytes, more than topic ${topics.confirmed.replaceAll('.', '\\.')} accepts in one record: raise the topic's max.message.bytes above it: .*\\(MESSAGE_TOO_LARGE\\)`,
      ),
    );
    await ingest.stop();
    ingest = undefined;
    // Nothing was committed: the ingestor resumes from the same place once the limit is raised.
    expect(await readCommittedEvents(kafka, topics.confirmed)).toEqual([]);
  });
});
