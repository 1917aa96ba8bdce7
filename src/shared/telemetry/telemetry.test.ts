import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTracing } from './createTracing.ts';
import { activeTracing, createTelemetry, type Telemetry } from './index.ts';

// Counts the tracer providers created, to show that no SDK is started with tracing off.
const sdk = vi.hoisted(() => ({ providers: 0 }));
vi.mock('@opentelemetry/sdk-trace-base', async (importOriginal) => {
  const real = await importOriginal<typeof import('@opentelemetry/sdk-trace-base')>();
  class CountedProvider extends real.BasicTracerProvider {
    constructor(...args: ConstructorParameters<typeof real.BasicTracerProvider>) {
      super(...args);
      sdk.providers += 1;
    }
  }
  return { ...real, BasicTracerProvider: CountedProvider };
});

const logger = pino({ level: 'silent' });
const traceparentFormat = /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/;

type Received = { path: string | undefined; contentType: string | undefined; body: unknown };

/** A local OTLP/HTTP receiver that records every request. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        path: request.url,
        contentType: request.headers['content-type'],
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('telemetry', () => {
  let telemetry: Telemetry | undefined;
  afterEach(async () => {
    await telemetry?.shutdown();
    telemetry = undefined;
  });

  it('starts no tracer provider and leaves the roles untraced without an OTLP endpoint', async () => {
    const before = sdk.providers;
    telemetry = await createTelemetry({ config: { serviceName: 'blockwire', sampleRatio: 1 }, logger });
    expect(telemetry.enabled).toBe(false);
    expect(activeTracing()).toBeUndefined();
    expect(sdk.providers).toBe(before);
  });

  it('exports spans as OTLP/HTTP JSON to <endpoint>/v1/traces with service.name, flushing on shutdown', async () => {
    const receiver = await startReceiver();
    try {
      const before = sdk.providers;
      telemetry = await createTelemetry({
        config: { otlpEndpoint: `${receiver.url}/`, serviceName: 'bw-unit', sampleRatio: 1 },
        logger,
      });
      expect(telemetry.enabled).toBe(true);
      expect(sdk.providers).toBe(before + 1);
      const tracing = activeTracing();
      expect(tracing).toBeDefined();
      tracing!.tracer.startSpan('unit.span').end();
      await telemetry.shutdown();
      expect(activeTracing()).toBeUndefined();

      expect(receiver.received).toHaveLength(1);
      const [request] = receiver.received;
      expect(request!.path).toBe('/v1/traces');
      expect(request!.contentType).toBe('application/json');
      const body = request!.body as {
        resourceSpans: {
          resource: { attributes: { key: string; value: { stringValue?: string } }[] };
          scopeSpans: { spans: { name: string; traceId: string }[] }[];
        }[];
      };
      const resource = body.resourceSpans[0]!.resource.attributes;
      expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'bw-unit' } });
      const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      expect(spans.map((span) => span.name)).toEqual(['unit.span']);
      expect(spans[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await receiver.close();
    }
  });
});

describe('trace context codec', () => {
  const tracing = createTracing(new BasicTracerProvider().getTracer('unit'));

  it('carries a span as W3C headers that Kafka may hand back as Buffers', () => {
    const span = tracing.tracer.startSpan('parent');
    const headers = tracing.headersOf(span);
    expect(headers.traceparent).toMatch(traceparentFormat);
    expect(tracing.traceparentOf(span)).toBe(headers.traceparent);
    const asKafka = Object.fromEntries(
      Object.entries(headers).map(([key, value]) => [key, Buffer.from(value)]),
    );
    const context = tracing.contextFrom(asKafka);
    expect(context).toBeDefined();
    const child = tracing.tracer.startSpan('child', {}, context);
    expect(child.spanContext().traceId).toBe(span.spanContext().traceId);
    expect((child as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId).toBe(
      span.spanContext().spanId,
    );
    expect(trace.getSpanContext(context!)?.isRemote).toBe(true);
  });

  it('finds no context in messages without a valid traceparent', () => {
    expect(tracing.contextFrom(undefined)).toBeUndefined();
    expect(tracing.contextFrom({})).toBeUndefined();
    expect(tracing.contextFrom({ traceparent: Buffer.from('00-zz-11-01') })).toBeUndefined();
    expect(tracing.contextFrom({ traceparent: `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01` })).toBeUndefined();
  });
});
