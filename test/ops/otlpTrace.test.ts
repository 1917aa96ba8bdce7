import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractChannel,
  decodeEventRecord,
  type EventChannelMessage,
  epochKey,
  topicNames,
} from '../../src/domain/index.ts';
import { createGateway } from '../../src/gateway/index.ts';
import { createIngest } from '../../src/ingest/index.ts';
import { createProcessor } from '../../src/process/index.ts';
import { buildApplyCall, prepareApply } from '../../src/process/projection/prepareApply.ts';
import { defineProcessScripts } from '../../src/process/scripts.ts';
import { parseConfig, type ResolvedConfig } from '../../src/shared/config/index.ts';
import { createKafka } from '../../src/shared/kafka.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createTelemetry, type Telemetry } from '../../src/shared/telemetry/index.ts';
import { type Collector, subscribeWs, waitUntil, wsClient } from '../gateway/support/clients.ts';
import { makeEvent, zeroAddress } from '../process/support/events.ts';
import { type DemoContracts, deployDemoContracts, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { getStack } from '../support/stack.ts';

/** A span as an OTLP/HTTP JSON export carries it, with its resource's attributes. */
type ReceivedSpan = {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
};

type OtlpAttribute = { key: string; value: Record<string, unknown> };
type OtlpExport = {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
};

function attributesOf(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = Object.values(value)[0];
  return out;
}

/** A local OTLP/HTTP (JSON) collector: POST /v1/traces, every span kept. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ReceivedSpan[]; server: Server }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const resource = attributesOf(resourceSpans.resource?.attributes);
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              name: span.name,
              attributes: attributesOf(span.attributes),
              resource,
            });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

const eventsSubscription = parse(/* GraphQL */ `
  subscription Traced($filter: EventFilter) {
    events(filter: $filter) {
      id
      transactionHash
      status
    }
  }
`);

type Delivered = { events: { id: string; transactionHash: string; status: string } };

const traceparentFormat = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('OpenTelemetry traces across the roles', () => {
  let chain: TestChain;
  let contracts: DemoContracts;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let telemetry: Telemetry;
  let config: ResolvedConfig;
  let graphqlUrl: string;
  const stops: (() => Promise<void>)[] = [];
  const collectors: Collector<Delivered>[] = [];
  let reader: Consumer | undefined;

  beforeAll(async () => {
    const stack = getStack();
    chain = await startTestChain();
    contracts = await deployDemoContracts({
      publicClient: chain.publicClient,
      walletClient: chain.walletClients[0]!,
    });
    receiver = await startOtlpReceiver();
    const id = randomId('otlp');
    config = parseConfig({
      raw: {
        chains: [
          {
            chainId: chain.chainId,
            rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
            confirmations: 0,
            pollIntervalMs: 200,
            contracts: [
              {
                name: 'DemoToken',
                address: contracts.erc20.address,
                abi: 'erc20',
                startBlock: Number(contracts.erc20.startBlock),
              },
            ],
          },
        ],
        kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
        redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
        process: { groupId: `${id}.process` },
        gateway: { port: 0, maskErrors: false },
        telemetry: { otlpEndpoint: receiver.url, serviceName: 'blockwire-otlp-test' },
      },
      baseDir: '.',
    });
    const logger = createLogger('otlp-test', { test: id });
    // As the CLI does: telemetry first, then the roles (all three in this process, as `start` runs them).
    telemetry = await createTelemetry({ config: config.telemetry, logger });
    stops.push(() => telemetry.shutdown());
    const processor = createProcessor({ config, logger });
    stops.push(() => processor.stop());
    await processor.start();
    const ingest = createIngest({ config, logger });
    stops.push(() => ingest.stop());
    await ingest.start();
    const gateway = createGateway({ config, logger });
    stops.push(() => gateway.stop());
    graphqlUrl = (await gateway.start()).url;
  });

  afterAll(async () => {
    for (const collector of collectors) collector.stop();
    await reader?.disconnect();
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await new Promise((resolve) => receiver?.server.close(resolve));
    await chain?.stop();
  });

  it('shows one event as one trace: ingest publish → process apply → gateway deliver, and Kafka carries its traceparent', async () => {
    expect(telemetry.enabled).toBe(true);
    const subscriber = subscribeWs<Delivered>(
      wsClient(graphqlUrl.replace(/^http/, 'ws')),
      eventsSubscription,
      {
        filter: { chainId: chain.chainId, contracts: [contracts.erc20.address] },
      },
    );
    collectors.push(subscriber);

    // One transaction, one Transfer event. The subscription's SUBSCRIBE may still be in flight when
    // the first one is published (a live subscription misses what came before): mint again until one
    // reaches the subscriber.
    const wallet = chain.walletClients[1]!;
    let delivered: Delivered['events'] | undefined;
    for (let attempt = 1; !delivered; attempt++) {
      const hash = await wallet.writeContract({
        ...contracts.erc20,
        functionName: 'mint',
        args: [wallet.account.address, 1000n],
        chain: wallet.chain,
      });
      await chain.publicClient.waitForTransactionReceipt({ hash });
      const seen = () => subscriber.data().find((data) => data.events.transactionHash === hash);
      await waitUntil(() => seen() !== undefined || attempt === 5, 30_000, `delivery of ${hash}`).catch(
        () => undefined,
      );
      delivered = seen()?.events;
      if (!delivered && attempt === 5) throw new Error('No minted event reached the subscriber');
    }
    expect(delivered.status).toBe('CONFIRMED');
    const eventId = delivered.id;

    // The spans of that event, once the batch exporter sent them (every few seconds).
    const spanOf = (role: string, name: string) =>
      receiver.spans.find(
        (span) =>
          span.name === name &&
          span.attributes['blockwire.role'] === role &&
          span.attributes['blockwire.event_id'] === eventId,
      );
    await waitUntil(
      () =>
        spanOf('process', 'blockwire.process.apply') !== undefined &&
        spanOf('gateway', 'blockwire.gateway.deliver') !== undefined,
      60_000,
      `process and gateway spans of ${eventId}`,
    );
    const processSpan = spanOf('process', 'blockwire.process.apply')!;
    const gatewaySpan = spanOf('gateway', 'blockwire.gateway.deliver')!;
    const ingestSpanOf = () =>
      receiver.spans.find(
        (span) => span.spanId === processSpan.parentSpanId && span.traceId === processSpan.traceId,
      );
    await waitUntil(
      () => ingestSpanOf() !== undefined,
      60_000,
      'the ingest span that parents the process span',
    );
    const ingestSpan = ingestSpanOf()!;

    // One trace id across the three roles, each span the child of the one before.
    expect(ingestSpan.name).toBe('blockwire.ingest.publish');
    expect(ingestSpan.attributes['blockwire.role']).toBe('ingest');
    expect(ingestSpan.parentSpanId).toBeUndefined();
    expect(new Set([ingestSpan.traceId, processSpan.traceId, gatewaySpan.traceId]).size).toBe(1);
    expect(processSpan.parentSpanId).toBe(ingestSpan.spanId);
    expect(gatewaySpan.parentSpanId).toBe(processSpan.spanId);
    for (const span of [ingestSpan, processSpan, gatewaySpan])
      expect(span.resource['service.name']).toBe('blockwire-otlp-test');
    expect(Number(ingestSpan.attributes['blockwire.chain_id'])).toBe(chain.chainId);
    expect(Number(ingestSpan.attributes['blockwire.event_count'])).toBeGreaterThanOrEqual(1);
    expect(processSpan.attributes['blockwire.apply.result']).toBe('applied');
    expect(Number(gatewaySpan.attributes['blockwire.subscriber_count'])).toBeGreaterThanOrEqual(1);

    // The event's Kafka record carries the ingest span's W3C trace context.
    const kafka = createKafka({ brokers: config.kafka.brokers });
    reader = kafka.consumer({ groupId: randomId('otlp-reader'), maxWaitTimeInMs: 100 });
    const headers = new Map<string, string | undefined>();
    await reader.connect();
    await reader.subscribe({ topic: topicNames(config.kafka.topicPrefix).confirmed, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const decoded = decodeEventRecord(message.value);
        for (const event of decoded.ok ? decoded.value : [])
          headers.set(event.id, message.headers?.traceparent?.toString());
      },
    });
    await waitUntil(() => headers.has(eventId), 60_000, `the Kafka record of ${eventId}`);
    const traceparent = headers.get(eventId);
    expect(traceparent).toMatch(traceparentFormat);
    const [, traceId, spanId] = traceparentFormat.exec(traceparent!)!;
    expect(traceId).toBe(ingestSpan.traceId);
    expect(spanId).toBe(ingestSpan.spanId);
  });
});

describe('apply script: trace context in channel messages', () => {
  it('publishes the traceparent given for an event, and none for an untraced event of the same run', async () => {
    const redis = defineProcessScripts(new Redis(getStack().redisUrl));
    const subscriber = new Redis(getStack().redisUrl);
    try {
      const keyPrefix = `${randomId('apply-trace')}:`;
      const settings = { keyPrefix, epoch: 'epoch-1', journalMaxEntries: 1000, reorgWindowBlocks: 64 };
      const chainId = 31337;
      const token = `0x${'d4'.repeat(20)}` as const;
      const events = [0, 1].map((logIndex) =>
        makeEvent({
          chainId,
          address: token,
          blockNumber: 7,
          blockHash: `0x${'07'.repeat(32)}`,
          logIndex,
          eventName: 'Transfer',
          args: { from: zeroAddress, to: `0x${'b2'.repeat(20)}`, value: '5' },
        }),
      );
      const prepared = events.map((event) => {
        const result = prepareApply({ event, abiKind: 'erc20' });
        if (!result.ok) throw new Error(result.reason);
        return result.value;
      });
      const traceparent = `00-${'a1'.repeat(16)}-${'b2'.repeat(8)}-01`;
      const call = [...buildApplyCall(prepared, settings), traceparent, ''];
      const messages: string[] = [];
      const channel = contractChannel(keyPrefix, chainId, token);
      await subscriber.subscribe(channel);
      subscriber.on('message', (_channel: string, message: string) => messages.push(message));
      await redis.set(epochKey(keyPrefix), settings.epoch);

      expect(await redis.bwApply(...call)).toEqual(['A', '7-0', 'A', '7-1']);
      await waitUntil(() => messages.length === 2, 10_000, 'both channel messages');
      const expected: EventChannelMessage[] = [
        { kind: 'event', event: events[0]!, cursor: '7-0', traceparent },
        { kind: 'event', event: events[1]!, cursor: '7-1' },
      ];
      expect(messages.map((message) => JSON.parse(message))).toEqual(expected);
      // Exactly the bytes a JSON encoder makes of the message (the gateway parses it as such).
      expect(messages).toEqual(expected.map((message) => JSON.stringify(message)));
    } finally {
      redis.disconnect();
      subscriber.disconnect();
    }
  });
});
