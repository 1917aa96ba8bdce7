/**
 * Process-role throughput: events/s applied from `events.confirmed` into Redis (projection, journal,
 * pub/sub) beside a raw baseline measured in the same run on the same Redis: one pipelined EVALSHA of
 * a no-op script per event, with that event's keys and arguments (what a one-script-per-event
 * processor would send before doing any work). Prints medians of several runs. The topics have the
 * deployment's default 6 partitions (the history's four contracts hash to two of them); with 3 all
 * four land in one partition, the worst case for parallelism.
 *
 * Two cases in each run: the token history (ERC-20/721/1155 and a custom contract) and a projections
 * history of the same size: four Market contracts (examples/blockwire.yaml) whose Listing and
 * SellerStats projections change one or two entities per event.
 *
 *   npm run bench:process -- [events] [runs] [partitions]     (defaults: 200000 events, 3 runs, 6)
 *
 * With BENCH_EVENTS_PER_RECORD=<n>, the history is written in records of up to n events of one
 * contract, as the ingestor packs them (`kafka.eventsPerRecord`); one event per record by default.
 * With BENCH_CPU_PROFILE=<dir>, each processor run writes a V8 CPU profile of this process (the
 * processor runs in it) while it applies; with BENCH_HEAP_PROFILE=<dir>, a sampling profile of what it
 * allocates (garbage included), for Chrome DevTools' memory tab.
 *
 * Uses KAFKA_BROKERS and REDIS_URL when they answer, else starts a local Kafka and Redis.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startKafka } from '../src/dev-stack/kafka.ts';
import { startRedis } from '../src/dev-stack/redis.ts';
import { contractKeys, encodeEvent, eventKey, topicNames } from '../src/domain/index.ts';
import { createProcessor } from '../src/process/index.ts';
import { buildApplyCall, prepareApply } from '../src/process/projection/prepareApply.ts';
import { createKafka } from '../src/shared/kafka.ts';
import { createLogger } from '../src/shared/logger.ts';
import {
  marketAbiPath,
  marketContractEntry,
  simulateMarket,
} from '../test/process/support/marketScenario.ts';
import { createTopics, produceRecords } from '../test/process/support/produce.ts';
import { createScenario } from '../test/process/support/scenario.ts';
import { createTestConfig } from '../test/process/support/testConfig.ts';

const events = Number(process.argv[2] ?? 200_000);
const runs = Number(process.argv[3] ?? 3);
const partitions = Number(process.argv[4] ?? 6);
// Events per Kafka record: 1 (the default) writes one event per record; more packs each contract's
// events as the ingestor does (`kafka.eventsPerRecord`).
const eventsPerRecord = Number(process.env.BENCH_EVENTS_PER_RECORD ?? 1);
const profileDir = process.env.BENCH_CPU_PROFILE;
const heapDir = process.env.BENCH_HEAP_PROFILE;
const chainId = 31337;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const kafkaHandle = await startKafka({ brokers: process.env.KAFKA_BROKERS?.split(',') });
const redisHandle = await startRedis({ url: process.env.REDIS_URL });
const redisUrl = redisHandle.url;
const logger = createLogger('bench');

// One history, produced once per run into fresh topics (so every run replays the same events).
const generated = createScenario({ chainId, topics: topicNames('bench'), seed: 42, accounts: 200 });
while (generated.canonical().length < events) generated.blocks(1_000, 12);
const template = generated.drain().filter((record) => record.topic === topicNames('bench').confirmed);
console.log(`Generated ${template.length} events for ${Object.keys(generated.kinds).length} contracts`);

// The projections case: as many events, over four Market contracts (interleaved in slices of 50).
const marketAddresses = [1, 2, 3, 4].map(
  (n) => `0x${n.toString(16).padStart(2, '0')}${'ee'.repeat(19)}` as const,
);
const marketRecords = marketAddresses.map((address, index) =>
  simulateMarket({
    chainId,
    address,
    seed: 100 + index,
    blocks: Math.ceil(template.length / marketAddresses.length / 1.5),
    sellers: 50,
  }).records.map((event) => ({ key: eventKey(chainId, address), value: encodeEvent(event) })),
);
const marketTemplate: { key: string; value: string }[] = [];
for (let at = 0; marketRecords.some((records) => at < records.length); at += 50)
  for (const records of marketRecords) marketTemplate.push(...records.slice(at, at + 50));
console.log(
  `Generated ${marketTemplate.length} events for ${marketAddresses.length} Market contracts with projections`,
);

type BenchCase = {
  records: { key: string; value: string }[];
  kinds: typeof generated.kinds;
  extraContracts?: Record<string, unknown>[];
  addresses: string[];
};
const tokenCase: BenchCase = {
  records: template,
  kinds: generated.kinds,
  addresses: Object.keys(generated.kinds),
};
const projectionCase: BenchCase = {
  records: marketTemplate,
  kinds: {},
  extraContracts: marketAddresses.map((address, index) =>
    marketContractEntry(`Market${index}`, address, marketAbiPath),
  ),
  addresses: marketAddresses,
};

async function runProcessor({ records, kinds, extraContracts, addresses }: BenchCase): Promise<number> {
  const setup = createTestConfig({
    kafkaBrokers: kafkaHandle.brokers,
    redisUrl,
    chainId,
    kinds,
    partitions,
    extraContracts,
  });
  const kafka = createKafka({ brokers: kafkaHandle.brokers, logger });
  await createTopics(kafka, setup.config);
  const topic = topicNames(setup.config.kafka.topicPrefix).confirmed;
  const producer = kafka.producer();
  await producer.connect();
  await produceRecords(
    producer,
    records.map((record) => ({ ...record, topic })),
    800,
    eventsPerRecord,
  );
  await producer.disconnect();
  const redis = new Redis(redisUrl);
  const metas = addresses.map((address) => contractKeys(setup.config.redis.keyPrefix, chainId, address).meta);
  const applied = async () => {
    let total = 0;
    for (const meta of metas) total += Number((await redis.hget(meta, 'count')) ?? 0);
    return total;
  };
  const processor = createProcessor({ config: setup.config, logger });
  await processor.start();
  let first = await applied();
  while (first === 0) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    first = await applied();
  }
  const session = profileDir ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const heap = heapDir ? new Session() : undefined;
  if (heap) {
    heap.connect();
    await heap.post('HeapProfiler.enable');
    await heap.post('HeapProfiler.startSampling', {
      samplingInterval: 32_768,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const started = performance.now();
  const redisCpuBefore = await redisCpuSeconds(redis);
  const cpuBefore = process.cpuUsage();
  let done = first;
  while (done < records.length) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    done = await applied();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(profileDir!, { recursive: true });
    const file = join(profileDir!, `process-${addresses.length}-contracts-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the processor: ${file}`);
  }
  if (heap) {
    const { profile } = await heap.post('HeapProfiler.stopSampling');
    mkdirSync(heapDir!, { recursive: true });
    const file = join(heapDir!, `process-${addresses.length}-contracts-${Date.now()}.heapprofile`);
    writeFileSync(file, JSON.stringify(profile));
    heap.disconnect();
    console.log(
      `Allocation profile of the processor (${((done - first) / 1000).toFixed(0)}k events): ${file}`,
    );
  }
  const redisCpu = (await redisCpuSeconds(redis)) - redisCpuBefore;
  cpuPerEvent.push({
    redis: (redisCpu * 1e6) / (done - first),
    processor: (cpu.user + cpu.system) / (done - first),
  });
  await processor.stop();
  // Clean up this run's keys and topics.
  const keys = await redis.keys(`${setup.config.redis.keyPrefix}*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  redis.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  const names = topicNames(setup.config.kafka.topicPrefix);
  await admin
    .deleteTopics({ topics: [names.confirmed, names.pending, names.checkpoints, names.dlq] })
    .catch(() => {});
  await admin.disconnect();
  return (done - first) / seconds;
}

/** CPU seconds (user + system) the Redis server used since it started. */
async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return field('used_cpu_user') + field('used_cpu_sys');
}

/** CPU µs per event of each processor run, in Redis and in this process (the processor's). */
const cpuPerEvent: { redis: number; processor: number }[] = [];

async function runBaseline(): Promise<number> {
  const redis = new Redis(redisUrl);
  const settings = {
    keyPrefix: 'bench-baseline:',
    epoch: 'x',
    journalMaxEntries: 100_000,
    reorgWindowBlocks: 1024,
  };
  // One call per event, as a per-event apply would send it: the contract's keys, the header and the
  // event's record.
  const calls = template.slice(0, 100_000).map((record) => {
    const event = JSON.parse(record.value);
    const prepared = prepareApply({
      event,
      abiKind: generated.kinds[event.address],
    });
    if (!prepared.ok) throw new Error(prepared.reason);
    return buildApplyCall([prepared.value], settings);
  });
  redis.defineCommand('bwNoop', { lua: 'return 1' });
  const noop = redis as Redis & { bwNoop(...args: (string | number)[]): Promise<number> };
  const started = performance.now();
  for (let i = 0; i < calls.length; i += 500) {
    const pipeline = redis.pipeline() as unknown as typeof noop & { exec(): Promise<unknown> };
    for (const call of calls.slice(i, i + 500)) void pipeline.bwNoop(...call);
    await pipeline.exec();
  }
  const rate = calls.length / ((performance.now() - started) / 1000);
  redis.disconnect();
  return rate;
}

const processed: number[] = [];
const projected: number[] = [];
const baseline: number[] = [];
const tokenCpu: { redis: number; processor: number }[] = [];
const projectionCpu: { redis: number; processor: number }[] = [];
for (let run = 1; run <= runs; run++) {
  baseline.push(await runBaseline());
  processed.push(await runProcessor(tokenCase));
  tokenCpu.push(cpuPerEvent.at(-1)!);
  projected.push(await runProcessor(projectionCase));
  projectionCpu.push(cpuPerEvent.at(-1)!);
  console.log(
    `run ${run}: token case ${processed.at(-1)!.toFixed(0)} events/s, projections case ${projected.at(-1)!.toFixed(0)} events/s, baseline ${baseline.at(-1)!.toFixed(0)} calls/s`,
  );
}
const p = median(processed);
const q = median(projected);
const b = median(baseline);
console.log(
  `\nevents: ${template.length} (token case), ${marketTemplate.length} (projections case), runs: ${runs}, partitions: ${partitions}, events per record: ${eventsPerRecord}, node flags: ${process.execArgv.filter((flag) => flag.startsWith('--max-semi-space-size')).join(' ') || 'none'}`,
);
console.log(`processor, token case (Kafka → Lua apply → Redis), median: ${p.toFixed(0)} events/s`);
console.log(
  `processor, projections case (4 Market contracts, Listing + SellerStats), median: ${q.toFixed(0)} events/s`,
);
console.log(`baseline (pipelined no-op EVALSHA, same keys/args), median: ${b.toFixed(0)} calls/s`);
const cpuLine = (name: string, list: { redis: number; processor: number }[]) =>
  console.log(
    `CPU per event, ${name}, medians: Redis ${median(list.map((entry) => entry.redis)).toFixed(1)} µs, processor process ${median(list.map((entry) => entry.processor)).toFixed(1)} µs`,
  );
cpuLine('token case', tokenCpu);
cpuLine('projections case', projectionCpu);
console.log(`ratio token case/baseline: ${(p / b).toFixed(2)}`);
console.log(`ratio projections case/baseline: ${(q / b).toFixed(2)}`);
console.log(`ratio projections case/token case: ${(q / p).toFixed(2)} (goal >= 0.7)`);
await redisHandle.stop();
await kafkaHandle.stop();
process.exit(0);
