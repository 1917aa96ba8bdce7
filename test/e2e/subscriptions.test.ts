import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, subscribeSse, subscribeWs, wsClient } from '../gateway/support/clients.ts';
import { mine, reorg, runTraffic, startTestChain, type TestChain } from '../support/chain.ts';
import { canonicalEventIds, groupByAddress } from './support/canonicalEvents.ts';
import { type Pipeline, startPipeline } from './support/pipeline.ts';

type Delivered = {
  events: { id: string; address: string; status: string; cursor: string | null; resumeToken: string | null };
};

const eventsSubscription = parse(/* GraphQL */ `
  subscription Delivered($filter: EventFilter, $after: StreamPosition) {
    events(filter: $filter, after: $after) {
      id
      address
      status
      cursor
      resumeToken
    }
  }
`);

const confirmations = 2;

describe('end to end: chain → ingest → Kafka → process → Redis → gateway', () => {
  let chain: TestChain;
  let pipeline: Pipeline;
  const collectors: Collector<Delivered>[] = [];

  beforeAll(async () => {
    chain = await startTestChain();
    pipeline = await startPipeline({ chain, confirmations, gateway: true });
  });

  afterAll(async () => {
    for (const collector of collectors) collector.stop();
    await pipeline?.stop();
    await chain?.stop();
  });

  it('delivers every confirmed event exactly once and in order over graphql-ws and SSE, and resumes a client gaplessly', async () => {
    const url = pipeline.graphqlUrl!;
    const filter = { chainId: chain.chainId };
    const ws = subscribeWs(wsClient(url.replace(/^http/, 'ws')), eventsSubscription, { filter });
    const sse = subscribeSse(url, eventsSubscription, { filter });
    const leaving = subscribeWs(wsClient(url.replace(/^http/, 'ws')), eventsSubscription, { filter });
    collectors.push(ws, sse, leaving);

    const { publicClient, testClient } = chain;
    const wallets = chain.walletClients.slice(1, 6);
    const contracts = pipeline.contracts;
    const traffic = async (seed: number, count: number) =>
      runTraffic({ publicClient, wallets, contracts, count, seed, everyKindFirst: seed === 1 });

    await traffic(1, 14);
    for (let round = 0; round < 3; round++) {
      await traffic(10 + round, 2);
      await reorg(testClient, {
        depth: 1,
        orphanedTxs: () => traffic(50 + round, 1),
        txs: () => traffic(90 + round, 1),
      });
    }
    await mine(testClient, confirmations);
    // The third client goes away after its first events and misses what follows.
    await leaving.waitFor(5, 60_000);
    leaving.stop();
    const seen = leaving.data();
    const lastToken = seen.at(-1)!.events.resumeToken;
    expect(lastToken).toBeTruthy();

    for (let round = 0; round < 3; round++) {
      await traffic(200 + round, 2);
      await reorg(testClient, {
        depth: 1,
        orphanedTxs: () => traffic(250 + round, 1),
        txs: () => traffic(290 + round, 1),
      });
    }
    await mine(testClient, confirmations + 1);

    const head = await publicClient.getBlockNumber({ cacheTime: 0 });
    const addresses = [contracts.erc20.address, contracts.erc721.address, contracts.erc1155.address];
    const expected = await canonicalEventIds(
      chain,
      addresses,
      contracts.erc20.startBlock,
      head - BigInt(confirmations),
    );
    const total = [...expected.values()].reduce((sum, ids) => sum + ids.length, 0);
    expect(total).toBeGreaterThan(20);

    await Promise.all([ws.waitFor(total, 90_000), sse.waitFor(total, 90_000)]);
    const resumed = subscribeWs(wsClient(url.replace(/^http/, 'ws')), eventsSubscription, {
      filter,
      after: lastToken,
    });
    collectors.push(resumed);
    await resumed.waitFor(total - seen.length, 60_000);

    for (const collector of [ws, sse]) {
      const events = collector.data().map((result) => result.events);
      expect(events.every((event) => event.status === 'CONFIRMED')).toBe(true);
      expect(groupByAddress(events)).toEqual(expected);
    }
    const stitched = [...seen, ...resumed.data()].map((result) => result.events);
    expect(groupByAddress(stitched)).toEqual(expected);
  });
});
