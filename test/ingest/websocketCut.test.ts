import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import { topicNames } from '../../src/domain/index.ts';
import { createIngest, type Ingest } from '../../src/ingest/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  mine,
  seededTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import {
  canonicalLogIds,
  demoContractEntries,
  ingestConfig,
  netConfirmedIds,
  readCommittedEvents,
} from './support/ingestHarness.ts';
import { ingestMetric } from './support/ingestMetric.ts';
import { type RpcProxy, startRpcProxy } from './support/rpcProxy.ts';
import { testLogger } from './support/testLogger.ts';
import { waitForCheckpoint } from './support/waitForCheckpoint.ts';

const confirmations = 1;

describe('ingest heads over a failing WebSocket', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let proxy: RpcProxy;
  let ingest: Ingest | undefined;
  const stack = getStack();
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: 'ingest-test' });

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    proxy = await startRpcProxy(chain.rpcHttp);
  });

  afterAll(async () => {
    await ingest?.stop();
    await proxy?.close();
    await chain?.stop();
  });

  it('falls back to polling when the socket is cut or stalls, returns to it, and leaves no gap', async () => {
    const prefix = randomId('ingest-ws');
    const topics = topicNames(prefix);
    const label = { chain_id: String(chain.chainId) };
    // What goes wrong with the socket is logged, never dumped to stderr around the logs.
    const consoleErrors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const onWebSocket = async () => (await ingestMetric('blockwire_ingest_heads_websocket', label)) === 1;
    const wallets = chain.walletClients.slice(1, 4);
    const traffic = (count: number, seed: number) =>
      seededTraffic({ publicClient: chain.publicClient, wallets, contracts }, count, seed);
    ingest = createIngest({
      config: ingestConfig({
        rpcHttp: proxy.url,
        rpcWs: proxy.wsUrl,
        chainId: chain.chainId,
        contracts: demoContractEntries(contracts),
        confirmations,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        topicPrefix: prefix,
        keyPrefix: `${prefix}:`,
        pollIntervalMs: 200,
      }),
      logger: testLogger('websocket'),
    });
    await ingest.start();
    await traffic(5, 1);
    // Heads only arrive when blocks are mined: keep the chain moving while waiting.
    let seed = 2;
    await waitFor(
      async () => {
        await traffic(1, seed++);
        return onWebSocket();
      },
      { description: 'heads over WebSocket', timeoutMs: 30_000, intervalMs: 100 },
    );

    for (let round = 0; round < 3; round++) {
      // Cut the socket and keep it down: heads must keep coming by polling.
      proxy.faults.refuseWebSockets = true;
      proxy.cutWebSockets();
      await traffic(4, 10 + round);
      await waitFor(async () => !(await onWebSocket()), {
        description: 'fallback to polling',
        timeoutMs: 30_000,
      });
      const head = Number(await chain.publicClient.getBlockNumber());
      await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, head - confirmations, 30_000);
      // Let it back: the ingestor resubscribes and returns to the socket.
      proxy.faults.refuseWebSockets = false;
      await waitFor(
        async () => {
          await traffic(1, seed++);
          return onWebSocket();
        },
        { description: 'back on the WebSocket', timeoutMs: 60_000, intervalMs: 100 },
      );
      // A cut without an outage: the socket reconnects mid-stream.
      proxy.cutWebSockets();
      await traffic(3, 200 + round);
    }
    // A stalled socket: connected, answering requests, but no more head notifications. The HTTP
    // head read by each step runs ahead of the socket's, so the ingestor switches to polling.
    await waitFor(
      async () => {
        await traffic(1, seed++);
        return onWebSocket();
      },
      { description: 'on the WebSocket before the stall', timeoutMs: 60_000, intervalMs: 100 },
    );
    proxy.faults.muteNotifications = true;
    await waitFor(
      async () => {
        await traffic(1, seed++);
        return !(await onWebSocket());
      },
      { description: 'stall detected, polling', timeoutMs: 60_000, intervalMs: 200 },
    );
    const stalledHead = Number(await chain.publicClient.getBlockNumber());
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, stalledHead - confirmations, 30_000);
    proxy.faults.muteNotifications = false;
    await waitFor(
      async () => {
        await traffic(1, seed++);
        return onWebSocket();
      },
      { description: 'back on the WebSocket after the stall', timeoutMs: 60_000, intervalMs: 100 },
    );
    await mine(chain.testClient, confirmations);
    const confirmedHead = Number(await chain.publicClient.getBlockNumber()) - confirmations;
    await waitForCheckpoint(kafka, topics.checkpoints, chain.chainId, confirmedHead);
    const records = await readCommittedEvents(kafka, topics.confirmed);
    const { ids, duplicates, disorders } = netConfirmedIds(records);
    expect(duplicates).toEqual([]);
    expect(disorders).toEqual([]);
    expect(ids).toEqual(
      await canonicalLogIds(
        chain.publicClient,
        chain.chainId,
        [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address],
        BigInt(confirmedHead),
      ),
    );
    expect(consoleErrors.mock.calls.map((call) => String(call[0]).slice(0, 200))).toEqual([]);
    consoleErrors.mockRestore();
    expect(proxy.stats.webSocketsCut).toBeGreaterThanOrEqual(3);
    expect(proxy.stats.notificationsMuted).toBeGreaterThan(0);
  });
});
