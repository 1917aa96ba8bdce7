import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  type TextMapGetter,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { TRACE_PARENT_HEADER, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Tracing } from './tracing.ts';

type Headers = Readonly<Record<string, unknown>>;

// Kafka headers arrive as Buffers (or arrays of them when a header repeats: the first one counts).
const headerGetter: TextMapGetter<Headers> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key];
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
    if (Buffer.isBuffer(first)) return first.toString('latin1');
    return undefined;
  },
};

const headerSetter = {
  set(carrier: Record<string, string>, key: string, value: string) {
    carrier[key] = value;
  },
};

/** Builds the {@link Tracing} of a tracer with the W3C trace context propagator. */
export function createTracing(tracer: Tracer): Tracing {
  const propagator = new W3CTraceContextPropagator();
  const headersOf = (span: Span): Record<string, string> => {
    const headers: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, headerSetter);
    return headers;
  };
  return {
    tracer,
    headersOf,
    // Empty for a span without a valid context (the apply script then publishes no trace field).
    traceparentOf: (span) => headersOf(span)[TRACE_PARENT_HEADER] ?? '',
    contextFrom(headers): Context | undefined {
      if (!headers) return undefined;
      const context = propagator.extract(ROOT_CONTEXT, headers, headerGetter);
      return trace.getSpanContext(context) ? context : undefined;
    },
  };
}
