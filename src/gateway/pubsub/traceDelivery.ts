import { SpanKind } from '@opentelemetry/api';
import { spanAttributes, spanNames, type Tracing } from '../../shared/telemetry/index.ts';

/** Parameters of {@link traceDelivery}. */
export type TraceDeliveryParameters = {
  tracing: Tracing;
  channel: string;
  /** The parsed channel message. */
  payload: unknown;
  /** Subscriptions listening on the channel. */
  subscribers: number;
};

/**
 * Starts the `blockwire.gateway.deliver` span of a channel message that carries a `traceparent` (an
 * event the processor traced), as the child of the processor's span: one span per message and
 * gateway, whatever the number of subscriptions. It ends once the message was handed to every
 * listener of the channel (they run synchronously after the message is parsed; a live WebSocket
 * subscription renders and writes its frame there, a subscription still replaying its journal
 * buffers it). Messages without trace context get no span.
 */
export function traceDelivery({ tracing, channel, payload, subscribers }: TraceDeliveryParameters): void {
  const message = payload as { traceparent?: unknown; event?: { id?: unknown } } | null;
  const traceparent = message?.traceparent;
  if (typeof traceparent !== 'string') return;
  const parent = tracing.contextFrom({ traceparent });
  if (!parent) return;
  const eventId = message?.event?.id;
  const span = tracing.tracer.startSpan(
    spanNames.gatewayDeliver,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [spanAttributes.role]: 'gateway',
        [spanAttributes.subscriberCount]: subscribers,
        [spanAttributes.messagingSystem]: 'redis',
        [spanAttributes.messagingDestination]: channel,
        ...(typeof eventId === 'string' ? { [spanAttributes.eventId]: eventId } : {}),
      },
    },
    parent,
  );
  // The listeners are called right after the deserializer returns, in the same synchronous run.
  queueMicrotask(() => span.end());
}
