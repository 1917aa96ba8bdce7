import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { createProcessor } from '../../src/process/index.ts';
import { parseConfig } from '../../src/shared/config/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import {
  pendingProblems,
  recordSubscribedStatuses,
  type SubscriberRecorder,
} from '../e2e/support/pendingOrder.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  replaceSince,
  seededTraffic,
  startTestChain,
  type TestChain,
  takeChainSnapshot,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  type ConfirmedRecord,
  demoContractEntries,
  type IngestConfigParameters,
  rawIngestConfig,
  readCommittedEvents,
  writeIngestConfig,
} from './support/ingestHarness.ts';
import { type IngestProcess, spawnIngest, waitForLine } from './support/spawnIngest.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 3;

/** Ids announced PENDING and never settled: no later REMOVED on the pending topic, no CONFIRMED. */
function unsettledPending(pending: ConfirmedRecord[], confirmed: ConfirmedRecord[]): string[] {
  const open = new Set<string>();
  for (const { event } of pending) {
    if (event.status === 'PENDING') open.add(event.id);
    else if (event.status === 'REMOVED') open.delete(event.id);
  }
  for (const { event } of confirmed) if (event.status === 'CONFIRMED') open.delete(event.id);
  return [...open];
}

describe('ingest pending stream across a restart', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  const running: IngestProcess[] = [];
  /** Stops the in-process processor, gateway and subscriber of a test, last started first. */
  const stops: (() => Promise<void> | void)[] = [];
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((ingest) => ingest.kill()));
    for (const stop of stops.splice(0).reverse()) await stop();
  });

  afterAll(async () => {
    await chain?.stop();
  });

  const traffic = (count: number, seed: number) =>
    seededTraffic(
      { publicClient: chain.publicClient, wallets: chain.walletClients.slice(1, 5), contracts },
      count,
      seed,
    );

  /**
   * Runs a processor and a gateway on the ingestor's config in this process, and subscribes a
   * graphql-ws client to `events` with `includePending` once the gateway listens.
   */
  async function startSubscriber(parameters: IngestConfigParameters): Promise<{
    subscriber: SubscriberRecorder;
    listening: () => boolean;
  }> {
    const config = parseConfig({
      raw: {
        ...rawIngestConfig(parameters),
        process: { groupId: `${parameters.topicPrefix}.process` },
        gateway: { port: 0, maskErrors: false },
      },
      baseDir: process.cwd(),
    });
    const processor = createProcessor({ config, logger: testLogger('pending-retraction-process') });
    await processor.start();
    stops.push(() => processor.stop());
    const gateway = createGateway({ config, logger: testLogger('pending-retraction-gateway') });
    const { url } = await gateway.start();
    stops.push(() => gateway.stop());
    const subscriber = recordSubscribedStatuses(url.replace(/^http/, 'ws'), parameters.chainId);
    stops.push(() => subscriber.stop());
    return { subscriber, listening: () => gateway.stats().listeners === 1 };
  }

  it('retracts with REMOVED the pending events orphaned while the ingestor was killed, up to a GraphQL subscriber', {
    timeout: 180_000,
  }, async () => {
    const prefix = randomId('ingest-pending');
    const topics = topicNames(prefix);
    const parameters: IngestConfigParameters = {
      rpcHttp: chain.rpcHttp,
      chainId: chain.chainId,
      contracts: demoContractEntries(contracts),
      confirmations,
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: stack.redisUrl,
      topicPrefix: prefix,
      keyPrefix: `${prefix}:`,
      pollIntervalMs: 100,
      lockTtlMs: 2_000,
    };
    const configFile = writeIngestConfig(parameters);
    // A dApp following the pending stream through the whole scenario.
    const { subscriber, listening } = await startSubscriber(parameters);
    await waitFor(listening, {
      description: 'the GraphQL subscription to listen',
      timeoutMs: 20_000,
      abort: subscriber.failure,
    });
    const delivered = subscriber.sequences;
    await traffic(4, 1);
    const first = spawnIngest(configFile);
    running.push(first);
    await waitForLine(first, 'Following heads');
    await mine(chain.testClient, confirmations);
    await waitForCheckpoint(
      kafka,
      topics.checkpoints,
      chain.chainId,
      Number(await chain.publicClient.getBlockNumber()) - confirmations,
    );

    // Blocks with events, none of them `confirmations` deep: the ingestor announces them PENDING only.
    const snapshot = await takeChainSnapshot(chain.testClient);
    await traffic(confirmations, 20);
    const announced = await waitFor(
      async () => {
        const records = await readCommittedEvents(kafka, topics.pending);
        const pending = records.filter(
          (record) =>
            record.event.status === 'PENDING' && record.event.blockNumber > Number(snapshot.blockNumber),
        );
        const blocks = new Set(pending.map((record) => record.event.blockNumber));
        return blocks.size === confirmations ? pending : undefined;
      },
      { description: 'PENDING records of the unconfirmed blocks', timeoutMs: 60_000, intervalMs: 200 },
    );
    const announcedIds = [...new Set(announced.map((record) => record.event.id))];
    // The client has shown these events as pending when their ingestor dies.
    await waitFor(() => announcedIds.every((id) => delivered.get(id)?.includes('PENDING')), {
      description: 'the GraphQL subscriber to receive the announced PENDING events',
      timeoutMs: 60_000,
      abort: subscriber.failure,
    });
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    // While no ingestor runs, a reorg replaces every announced block.
    const { orphaned } = await replaceSince(chain.testClient, snapshot, { txs: () => traffic(2, 21) });
    const orphanedHashes = new Set(orphaned.map((hash) => hash.toLowerCase()));
    expect(announced.every((record) => orphanedHashes.has(record.event.blockHash))).toBe(true);

    const second = spawnIngest(configFile);
    running.push(second);
    await waitForLine(second, 'Following heads');
    await mine(chain.testClient, confirmations);
    await waitForCheckpoint(
      kafka,
      topics.checkpoints,
      chain.chainId,
      Number(await chain.publicClient.getBlockNumber()) - confirmations,
    );
    // The retraction comes before the restarted ingestor confirms anything, so the checkpoint above
    // is the moment every PENDING the first ingestor published must be settled.
    const pending = await readCommittedEvents(kafka, topics.pending);
    const confirmed = await readCommittedEvents(kafka, topics.confirmed);
    expect(unsettledPending(pending, confirmed)).toEqual([]);
    const removed = pending.filter((record) => record.event.status === 'REMOVED');
    expect(new Set(removed.map((record) => record.event.id))).toEqual(
      new Set(announced.map((record) => record.event.id)),
    );
    // A REMOVED comes after the PENDING of its id (same key, same partition).
    for (const record of removed) {
      const announcement = pending.find(
        (other) => other.event.id === record.event.id && other.event.status === 'PENDING',
      )!;
      expect(announcement.partition).toBe(record.partition);
      expect(announcement.offset < record.offset).toBe(true);
    }

    // The subscriber gets the retractions through the processor and the gateway: every PENDING it
    // was shown is settled, the orphaned ones by REMOVED.
    const retracted = (id: string) => delivered.get(id)?.at(-1) === 'REMOVED';
    await waitFor(
      () =>
        announcedIds.every(retracted) &&
        pendingProblems(delivered).every((problem) => !problem.includes('never followed')),
      {
        description: 'the GraphQL subscriber to see every PENDING settled',
        timeoutMs: 60_000,
        intervalMs: 200,
        abort: subscriber.failure,
      },
    ).catch(() => {});
    expect(subscriber.failure()).toBeUndefined();
    expect(announcedIds.filter((id) => !retracted(id))).toEqual([]);
    expect(pendingProblems(delivered)).toEqual([]);
  });
});
