import type { Context, Span, Tracer } from '@opentelemetry/api';

/**
 * What the roles need to trace an event across Kafka and Redis pub/sub: a tracer and the W3C trace
 * context codec. Present only while telemetry is on (see {@link activeTracing}).
 */
export type Tracing = {
  tracer: Tracer;
  /** The W3C trace context of a span as message headers: `traceparent`, and `tracestate` when set. */
  headersOf(span: Span): Record<string, string>;
  /** The W3C `traceparent` of a span (`00-<trace id>-<span id>-<flags>`). */
  traceparentOf(span: Span): string;
  /**
   * The context to start a child span in, from headers carrying W3C trace context (string or Buffer
   * values, as kafkajs hands them over); undefined when they carry no valid `traceparent`.
   */
  contextFrom(headers: Readonly<Record<string, unknown>> | undefined): Context | undefined;
};

// Set by createTelemetry while an OTLP endpoint is configured. A module-level holder (like
// prom-client's registry) so hot paths check it with one call and do nothing else when tracing is off.
let active: Tracing | undefined;

/** The tracing of this process, or undefined when `telemetry.otlpEndpoint` is not set (the default). */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** Installs (or, with undefined, removes) the tracing {@link activeTracing} returns. */
export function setActiveTracing(tracing: Tracing | undefined): void {
  active = tracing;
}
