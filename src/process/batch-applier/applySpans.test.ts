import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createTracing } from '../../shared/telemetry/createTracing.ts';
import { endApplySpans } from './endApplySpans.ts';
import type { Applicable } from './index.ts';
import { startApplySpans } from './startApplySpans.ts';

const traceId = 'a1'.repeat(16);
const parentSpanId = 'b2'.repeat(8);

function entry(offset: number, traced: boolean): Applicable {
  const message = {
    offset: String(offset),
    headers: traced ? { traceparent: Buffer.from(`00-${traceId}-${parentSpanId}-01`) } : {},
  } as unknown as KafkaMessage;
  return {
    kind: 'apply',
    message,
    index: undefined,
    event: {
      contract: '1:0xabc',
      chainId: 1,
      address: '0xabc',
      owners: undefined,
      entityOps: [],
      id: `1:0x${'cd'.repeat(32)}:${offset}`,
      json: '{}',
      effect: '[]',
      fields: [`1:0x${'cd'.repeat(32)}:${offset}`, 'CONFIRMED', '9', String(offset), 'Transfer', 'erc20'],
      payload: [],
      accounts: [],
    },
    blockNumber: 9,
    removed: false,
  };
}

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracing: createTracing(provider.getTracer('unit')) };
}

describe('apply spans', () => {
  it('starts a child span for each event with trace context and hands the script their traceparents', () => {
    const { exporter, tracing } = setup();
    const runs = [[entry(0, true), entry(1, false)], [entry(2, false)]];
    const calls = [['call-0'], ['call-1']];
    const spans = startApplySpans({ tracing, topic: 't.events.confirmed', partition: 3, runs, calls });

    expect(spans.map((run) => run.map((span) => span !== undefined))).toEqual([[true, false], [false]]);
    const span = spans[0]![0]!;
    expect(span.spanContext().traceId).toBe(traceId);
    // The traced run gets one traceparent per event ('' for the untraced one); the other run none.
    expect(calls[0]).toEqual(['call-0', `00-${traceId}-${span.spanContext().spanId}-01`, '']);
    expect(calls[1]).toEqual(['call-1']);

    endApplySpans(spans, [
      [null, ['A', '9-0', 'A', '9-1']],
      [null, ['D', '']],
    ]);
    const [finished] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(finished!.name).toBe('blockwire.process.apply');
    expect(finished!.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(finished!.attributes).toMatchObject({
      'blockwire.role': 'process',
      'blockwire.chain_id': 1,
      'blockwire.block_number': 9,
      'blockwire.event_id': `1:0x${'cd'.repeat(32)}:0`,
      'blockwire.apply.result': 'applied',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': '0',
    });
  });

  it('ends each span with its event result, as dead-lettered when the script refused it, and as abandoned without results', () => {
    const { exporter, tracing } = setup();
    const runs = [[entry(0, true), entry(1, true), entry(2, true)], [entry(3, true)]];
    const spans = startApplySpans({ tracing, topic: 't', partition: 0, runs, calls: [[], []] });
    endApplySpans(spans, [
      [null, ['D', '', 'U', '', 'E', 'WRONGTYPE']],
      [new Error('WRONGTYPE whole run'), null],
    ]);
    const results = exporter
      .getFinishedSpans()
      .map((span) => [span.attributes['blockwire.apply.result'], span.status.code]);
    expect(results).toEqual([
      ['duplicate', 0],
      ['unreversible', 0],
      ['dead_lettered', 2],
      ['dead_lettered', 2],
    ]);

    const abandoned = startApplySpans({
      tracing,
      topic: 't',
      partition: 0,
      runs: [[entry(4, true)]],
      calls: [[]],
    });
    endApplySpans(abandoned);
    expect(exporter.getFinishedSpans().at(-1)!.attributes['blockwire.apply.result']).toBe('abandoned');
  });
});
