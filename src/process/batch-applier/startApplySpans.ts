import { type Span, SpanKind } from '@opentelemetry/api';
import { spanAttributes, spanNames, type Tracing } from '../../shared/telemetry/index.ts';
import type { Applicable } from './index.ts';

/** Parameters of {@link startApplySpans}. */
export type StartApplySpansParameters = {
  tracing: Tracing;
  topic: string;
  partition: number;
  runs: readonly Applicable[][];
  /** The apply calls of the runs (same order): each traced run's call gets the events' traceparents. */
  calls: (string | number)[][];
};

/**
 * Starts a `blockwire.process.apply` span for every event whose Kafka headers carry W3C trace
 * context, as a child of the ingestor's span, and appends to the apply call of each run holding a
 * traced event one traceparent per event of the run (empty for an untraced one): the script puts it
 * in the event's channel message, so the gateway's delivery joins the trace. Events without trace
 * context (published with tracing off, or replayed from before) get no span. Returns the spans per run.
 */
export function startApplySpans({
  tracing,
  topic,
  partition,
  runs,
  calls,
}: StartApplySpansParameters): (Span | undefined)[][] {
  return runs.map((run, r) => {
    let traced = false;
    const spans = run.map((entry) => {
      const parent = tracing.contextFrom(entry.message.headers);
      if (!parent) return undefined;
      traced = true;
      return tracing.tracer.startSpan(
        spanNames.processApply,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            [spanAttributes.role]: 'process',
            [spanAttributes.chainId]: entry.event.chainId,
            [spanAttributes.blockNumber]: entry.blockNumber,
            [spanAttributes.eventId]: entry.event.id,
            [spanAttributes.messagingSystem]: 'kafka',
            [spanAttributes.messagingDestination]: topic,
            [spanAttributes.messagingPartition]: String(partition),
            [spanAttributes.messagingOffset]: entry.message.offset,
          },
        },
        parent,
      );
    });
    const call = calls[r];
    if (traced && call) for (const span of spans) call.push(span ? tracing.traceparentOf(span) : '');
    return spans;
  });
}
