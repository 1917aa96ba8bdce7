import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import type { Client } from 'graphql-ws';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/dev-stack/freePort.ts';
import { waitFor } from '../../src/dev-stack/waitFor.ts';
import { canonicalEventIds, groupByAddress } from '../e2e/support/canonicalEvents.ts';
import { wsClient } from '../gateway/support/clients.ts';
import {
  type DemoContracts,
  deployDemoContracts,
  runTraffic,
  startTestChain,
  type TestChain,
} from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';
import { type SpawnedCli, spawnCli } from './support/spawnCli.ts';

// `gateway.workers: 2` (`--workers 2`): two gateway processes share the gateway's port. Subscribers
// spread over both get the same stream; when one process is SIGKILLed, its clients come back (to
// the other process, or to the one started in its place) with their resume tokens and miss nothing.

const eventsSubscription = print(
  parse(/* GraphQL */ `
    subscription Delivered($filter: EventFilter, $after: StreamPosition) {
      events(filter: $filter, after: $after) {
        id
        address
        status
        resumeToken
      }
    }
  `),
);

type Delivered = { id: string; address: string; status: string; resumeToken: string | null };

/** A dApp client: subscribes, and when its connection drops resubscribes with its last resume token. */
function resumingSubscriber(wsUrl: string, chainId: number) {
  const events: Delivered[] = [];
  let client: Client | undefined;
  let stopped = false;
  let resumes = 0;
  const connect = () => {
    const current = wsClient(wsUrl);
    client = current;
    const after = events.at(-1)?.resumeToken ?? undefined;
    current.subscribe<{ events: Delivered }>(
      { query: eventsSubscription, variables: { filter: { chainId }, ...(after ? { after } : {}) } },
      {
        next: (result) => {
          if (result.data) events.push(result.data.events);
        },
        error: () => reconnect(current),
        complete: () => reconnect(current),
      },
    );
  };
  const reconnect = (closed: Client) => {
    void closed.dispose();
    if (stopped || closed !== client) return;
    resumes++;
    setTimeout(() => {
      if (!stopped) connect();
    }, 200);
  };
  connect();
  return {
    events,
    resumes: () => resumes,
    stop() {
      stopped = true;
      void client?.dispose();
    },
  };
}

/** Sums a metric of the Prometheus text by its `worker` label. */
function byWorker(metrics: string, name: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const worker = /worker="([^"]+)"/.exec(line)?.[1];
    if (!worker) continue;
    sums.set(worker, (sums.get(worker) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return sums;
}

/** The pid of a gateway worker, from the primary's log line when it started serving. */
function workerPid(logFile: string, worker: number): number | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n').reverse()) {
    if (!line.includes('Gateway worker serving')) continue;
    try {
      const entry = JSON.parse(line) as { worker?: number; pid?: number };
      if (entry.worker === worker) return entry.pid;
    } catch {
      // a line that is not JSON
    }
  }
  return undefined;
}

describe('gateway workers', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let cli: SpawnedCli | undefined;
  const subscribers: ReturnType<typeof resumingSubscriber>[] = [];

  beforeAll(async () => {
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
  });

  afterAll(async () => {
    for (const subscriber of subscribers) subscriber.stop();
    await cli?.stop();
    await chain?.stop();
  });

  it('spreads subscribers over two processes; a killed process’s clients resume on the other and miss nothing', async () => {
    const stack = getStack();
    const id = randomId('workers');
    const [gatewayPort, opsPort] = [await freePort(), await freePort()];
    const entry = (name: string, contract: { address: Address; startBlock: bigint }, abi: string) => ({
      name,
      address: contract.address,
      abi,
      startBlock: Number(contract.startBlock),
    });
    cli = await spawnCli({
      args: ['start', '--role', 'all', '--workers', '2'],
      config: {
        chains: [
          {
            chainId: chain.chainId,
            rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
            confirmations: 0,
            contracts: [
              entry('DemoToken', contracts.erc20, 'erc20'),
              entry('DemoNFT', contracts.erc721, 'erc721'),
              entry('DemoItems', contracts.erc1155, 'erc1155'),
            ],
          },
        ],
        kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 3 },
        redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
        process: { groupId: `${id}.process` },
        gateway: { host: '127.0.0.1', port: gatewayPort, maskErrors: false },
        ops: { port: opsPort },
      },
      readyzPort: opsPort,
    });
    const ready = await cli.waitForReadyz((answer) => answer.body.ready, 'every role ready');
    expect(ready.body.roles.gateway).toMatchObject({ ready: true });

    const wsUrl = `ws://127.0.0.1:${gatewayPort}/graphql`;
    for (let i = 0; i < 6; i++) subscribers.push(resumingSubscriber(wsUrl, chain.chainId));
    const metrics = async () => (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
    // The cluster hands connections to the workers in turn: both hold some of the six.
    const spread = await waitFor(
      async () => {
        const open = byWorker(await metrics(), 'blockwire_gateway_open_connections');
        return open.get('1')! + open.get('2')! === 6 ? open : undefined;
      },
      { description: 'six connections open over the workers', timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(spread.get('1')).toBeGreaterThan(0);
    expect(spread.get('2')).toBeGreaterThan(0);

    const wallets = chain.walletClients.slice(1, 5);
    const traffic = (seed: number, count: number) =>
      runTraffic({
        publicClient: chain.publicClient,
        wallets,
        contracts,
        count,
        seed,
        everyKindFirst: seed === 1,
      });
    await traffic(1, 15);
    await waitFor(
      async () => subscribers.every((subscriber) => subscriber.events.length >= 10) || undefined,
      {
        description: 'every subscriber received events',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );

    // SIGKILL worker 1 while traffic goes on.
    const pid = workerPid(cli.logFile, 1);
    expect(pid).toBeGreaterThan(0);
    const during = traffic(2, 15);
    process.kill(pid!, 'SIGKILL');
    await during;
    await traffic(3, 10);

    const head = await chain.publicClient.getBlockNumber({ cacheTime: 0 });
    const addresses = [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
    const expected = await canonicalEventIds(chain, addresses, contracts.erc20.startBlock, head);
    const total = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
    await waitFor(
      async () => subscribers.every((subscriber) => subscriber.events.length >= total) || undefined,
      { description: `every subscriber received all ${total} events`, timeoutMs: 90_000, intervalMs: 200 },
    ).catch((error: Error) => {
      const counts = subscribers.map((subscriber) => subscriber.events.length).join(', ');
      throw new Error(`${error.message} (they have ${counts})`);
    });

    // The killed worker's clients came back: at least one subscriber resumed.
    expect(subscribers.reduce((sum, subscriber) => sum + subscriber.resumes(), 0)).toBeGreaterThan(0);
    for (const subscriber of subscribers) {
      expect(subscriber.events.every((event) => event.status === 'CONFIRMED')).toBe(true);
      // Once and in order per contract, equal to the chain: nothing missed, nothing twice.
      expect(groupByAddress(subscriber.events)).toEqual(expected);
    }
    // A new worker took the dead one's place, and the primary reports it ready again.
    const again = await cli.waitForReadyz(
      (answer) => answer.body.ready && workerPid(cli!.logFile, 1) !== pid,
      'a replacement of worker 1 serving',
    );
    expect(again.body.roles.gateway).toMatchObject({ ready: true });
    expect(readFileSync(cli.logFile, 'utf8')).toContain('Gateway worker died; starting another');
  });
});
