/**
 * Realtime latency: a transaction mined → its CONFIRMED event received by a graphql-ws client, over
 * the whole pipeline (Hardhat → ingest → Kafka → process → Redis → gateway → WebSocket), beside a raw
 * baseline measured in the same run on the same chain: the fastest a reader of the node can know,
 * `eth_subscribe("newHeads")` and then `eth_getLogs` by block hash.
 *
 * Cases: heads over WebSocket and by HTTP polling (every 100 ms), with confirmations 0 and 2. With
 * confirmations 0 the clock starts when the transaction's block is mined; with 2, when the block
 * that makes it two deep is mined. Prints p50/p90/p99/max per case, and the mean time the pipeline's
 * own stage metrics record per event: the Kafka transaction of the ingestor, the processor's Redis
 * apply, and the gateway's hand-off to the subscribers (the rest is head detection, `eth_getLogs`,
 * Kafka delivery to the consumer and pub/sub).
 *
 *   npm run bench:latency -- [transactions] [runs]     (defaults: 150 transactions, 3 runs)
 *
 * Uses KAFKA_BROKERS and REDIS_URL when they answer, else starts a local Kafka and Redis; always
 * starts a Hardhat node of its own.
 */
import { type Client, createClient } from 'graphql-ws';
import type { Hex } from 'viem';
import WebSocket from 'ws';
import { deployDemoContracts } from '../src/dev-stack/demoContracts.ts';
import { createDevChainClients } from '../src/dev-stack/devChain.ts';
import { startHardhat } from '../src/dev-stack/hardhat.ts';
import { startKafka } from '../src/dev-stack/kafka.ts';
import { startRedis } from '../src/dev-stack/redis.ts';
import { createGateway } from '../src/gateway/index.ts';
import { createIngest } from '../src/ingest/index.ts';
import { createProcessor } from '../src/process/index.ts';
import { parseConfig } from '../src/shared/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';
import { metricsRegistry } from '../src/shared/metrics.ts';

const transactions = Number(process.argv[2] ?? 150);
const runs = Number(process.argv[3] ?? 3);
const logger = createLogger('bench');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const median = (values: number[]) => percentile(values, 50);

const kafkaHandle = await startKafka({ brokers: process.env.KAFKA_BROKERS?.split(',') });
const redisHandle = await startRedis({ url: process.env.REDIS_URL });
const node = await startHardhat({ rpcHttp: null });
const chain = createDevChainClients({ rpcHttp: node.rpcHttp, rpcWs: node.rpcWs, chainId: node.chainId });
const contracts = await deployDemoContracts({
  publicClient: chain.publicClient,
  walletClient: chain.walletClients[0]!,
});
const token = contracts.erc20;
const wallet = chain.walletClients[1]!;
const recipient = chain.walletClients[2]!.account.address;

/** Mints once, then mines `extraBlocks`; resolves the hash and when the deciding block was mined. */
async function mined(extraBlocks: number): Promise<{ hash: Hex; at: number }> {
  // Automine: the transaction's block is mined before eth_sendTransaction answers.
  const hash = await wallet.writeContract({ ...token, functionName: 'mint', args: [recipient, 1n] });
  let at = performance.now();
  if (extraBlocks > 0) {
    await chain.testClient.mine({ blocks: extraBlocks });
    at = performance.now();
  }
  return { hash, at };
}

/** Latencies of `count` transactions, each awaited before the next, 20–60 ms apart. */
async function measure(count: number, extraBlocks: number, received: Map<Hex, number>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const { hash, at } = await mined(extraBlocks);
    const deadline = performance.now() + 10_000;
    while (!received.has(hash)) {
      if (performance.now() > deadline) throw new Error(`transaction ${hash} not received within 10 s`);
      await sleep(1);
    }
    latencies.push(received.get(hash)! - at);
    await sleep(20 + ((i * 37) % 41));
  }
  return latencies;
}

/** The raw baseline: newHeads over the node's WebSocket, then eth_getLogs by block hash. */
async function rawBaseline(count: number): Promise<number[]> {
  const received = new Map<Hex, number>();
  const socket = new WebSocket(node.rpcWs);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let id = 1;
  const pending = new Map<number, (result: unknown) => void>();
  const call = (method: string, params: unknown[]) =>
    new Promise<unknown>((resolve) => {
      const requestId = id++;
      pending.set(requestId, resolve);
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: requestId, method, params }));
    });
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as {
      id?: number;
      result?: unknown;
      params?: { result?: { hash?: Hex } };
    };
    if (message.id !== undefined) {
      pending.get(message.id)?.(message.result);
      pending.delete(message.id);
      return;
    }
    const blockHash = message.params?.result?.hash;
    if (!blockHash) return;
    void call('eth_getLogs', [{ blockHash, address: [token.address] }]).then((logs) => {
      const at = performance.now();
      for (const log of logs as { transactionHash: Hex }[]) received.set(log.transactionHash, at);
    });
  });
  await call('eth_subscribe', ['newHeads']);
  const latencies = await measure(count, 0, received);
  socket.close();
  return latencies;
}

type Case = { name: string; heads: 'ws' | 'poll'; confirmations: number };
const cases: Case[] = [
  { name: 'WebSocket heads, confirmations 0', heads: 'ws', confirmations: 0 },
  { name: 'polling heads (100 ms), confirmations 0', heads: 'poll', confirmations: 0 },
  { name: 'WebSocket heads, confirmations 2', heads: 'ws', confirmations: 2 },
];

type Stages = { kafkaTransaction: number; redisApply: number; gatewayHandOff: number };

/** Sum and count of a histogram (all labels). */
async function histogramTotals(name: string): Promise<{ sum: number; count: number }> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return { sum: 0, count: 0 };
  const { values } = await metric.get();
  let sum = 0;
  let count = 0;
  for (const value of values as { metricName?: string; value: number }[]) {
    if (value.metricName === `${name}_sum`) sum += value.value;
    if (value.metricName === `${name}_count`) count += value.value;
  }
  return { sum, count };
}
const stageMetrics = {
  kafkaTransaction: 'blockwire_ingest_publish_seconds',
  redisApply: 'blockwire_process_apply_seconds',
  gatewayHandOff: 'blockwire_gateway_delivery_latency_seconds',
} as const;
async function stageTotals() {
  const totals = {} as Record<keyof Stages, { sum: number; count: number }>;
  for (const [stage, name] of Object.entries(stageMetrics))
    totals[stage as keyof Stages] = await histogramTotals(name);
  return totals;
}

/** One case: its own topics, group and keys; the three roles in this process; one subscriber. */
async function runCase(testCase: Case, run: number): Promise<{ latencies: number[]; stages: Stages }> {
  const id = `bench-latency-${run}-${testCase.heads}-${testCase.confirmations}-${Date.now()}`;
  const config = parseConfig({
    raw: {
      chains: [
        {
          chainId: node.chainId,
          rpc: testCase.heads === 'ws' ? { http: node.rpcHttp, ws: node.rpcWs } : { http: node.rpcHttp },
          confirmations: testCase.confirmations,
          pollIntervalMs: 100,
          contracts: [
            { name: 'DemoToken', address: token.address, abi: 'erc20', startBlock: Number(token.startBlock) },
          ],
        },
      ],
      kafka: { brokers: kafkaHandle.brokers, topicPrefix: id },
      redis: { url: redisHandle.url, keyPrefix: `${id}:` },
      process: { groupId: `${id}.process` },
      gateway: { port: 0, limits: { requestsPerMinute: 1_000_000 } },
    },
    baseDir: '.',
  });
  const processor = createProcessor({ config, logger });
  await processor.start();
  const ingest = createIngest({ config, logger });
  await ingest.start();
  const gateway = createGateway({ config, logger });
  const { url } = await gateway.start();
  const received = new Map<Hex, number>();
  const client: Client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const subscribed = new Promise<void>((resolve, reject) => {
    client.subscribe<{ events: { status: string; transactionHash: Hex } }>(
      {
        query: `subscription { events(filter: { contracts: ["${token.address}"] }) { status transactionHash } }`,
      },
      {
        next: ({ data }) => {
          if (data?.events.status === 'CONFIRMED')
            received.set(data.events.transactionHash, performance.now());
          resolve();
        },
        error: reject,
        complete: () => {},
      },
    );
  });
  // Warm-up: until the first event arrives the subscription may not be live yet.
  let live = false;
  void subscribed.then(() => {
    live = true;
  });
  while (!live) {
    await mined(testCase.confirmations);
    await Promise.race([subscribed, sleep(300)]);
  }
  await measure(5, testCase.confirmations, received);
  const before = await stageTotals();
  const latencies = await measure(transactions, testCase.confirmations, received);
  const after = await stageTotals();
  const mean = (stage: keyof Stages) => {
    const count = after[stage].count - before[stage].count;
    return count > 0 ? ((after[stage].sum - before[stage].sum) / count) * 1000 : Number.NaN;
  };
  await client.dispose();
  await gateway.stop();
  await ingest.stop();
  await processor.stop();
  return {
    latencies,
    stages: {
      kafkaTransaction: mean('kafkaTransaction'),
      redisApply: mean('redisApply'),
      gatewayHandOff: mean('gatewayHandOff'),
    },
  };
}

const format = (latencies: number[]) =>
  `p50 ${median(latencies).toFixed(1)} ms, p90 ${percentile(latencies, 90).toFixed(1)}, p99 ${percentile(latencies, 99).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)}`;

const results = new Map<string, { latencies: number[][]; stages: Stages[] }>();
const raw: number[][] = [];
for (let run = 1; run <= runs; run++) {
  raw.push(await rawBaseline(transactions));
  console.log(`run ${run}: raw newHeads + eth_getLogs: ${format(raw.at(-1)!)}`);
  for (const testCase of cases) {
    const result = await runCase(testCase, run);
    const entry = results.get(testCase.name) ?? { latencies: [], stages: [] };
    entry.latencies.push(result.latencies);
    entry.stages.push(result.stages);
    results.set(testCase.name, entry);
    console.log(`run ${run}: ${testCase.name}: ${format(result.latencies)}`);
  }
}

/** Median over runs of one percentile. */
const medianOf = (runsLatencies: number[][], p: number) => median(runsLatencies.map((l) => percentile(l, p)));
const summary = (runsLatencies: number[][]) =>
  `p50 ${medianOf(runsLatencies, 50).toFixed(1)} ms, p90 ${medianOf(runsLatencies, 90).toFixed(1)}, p99 ${medianOf(runsLatencies, 99).toFixed(1)}, max ${median(runsLatencies.map((l) => Math.max(...l))).toFixed(1)}`;
console.log(`\ntransactions per case and run: ${transactions}, runs: ${runs} (medians over runs)`);
console.log(`raw newHeads + eth_getLogs by hash (baseline): ${summary(raw)}`);
for (const [name, entry] of results) {
  const stage = (key: keyof Stages) => median(entry.stages.map((stages) => stages[key])).toFixed(1);
  console.log(
    `${name}: ${summary(entry.latencies)}; p50 = ${(medianOf(entry.latencies, 50) / medianOf(raw, 50)).toFixed(1)} × raw; mean per stage: Kafka transaction ${stage('kafkaTransaction')} ms, Redis apply ${stage('redisApply')} ms, gateway hand-off ${stage('gatewayHandOff')} ms`,
  );
}

await node.stop();
await redisHandle.stop();
await kafkaHandle.stop();
process.exit(0);
