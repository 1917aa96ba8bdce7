import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { spanAttributes } from '../../shared/telemetry/index.ts';

const resultNames: Record<string, string> = { A: 'applied', D: 'duplicate', U: 'unreversible' };

/**
 * Ends the apply spans of a chunk: with each event's result from the script's reply when the chunk was
 * applied (`results`: the pipeline's [error, codes] per run), else as `abandoned` (the consumer stopped,
 * lost the partition or the epoch changed before the chunk was committed).
 */
export function endApplySpans(
  spans: readonly (Span | undefined)[][],
  results?: readonly [Error | null, unknown][],
): void {
  spans.forEach((run, r) => {
    const [error, codes] = results?.[r] ?? [null, undefined];
    run.forEach((span, i) => {
      if (!span) return;
      const code = results ? (error ? 'E' : String((codes as string[] | undefined)?.[2 * i])) : undefined;
      const result = code === undefined ? 'abandoned' : (resultNames[code] ?? 'dead_lettered');
      span.setAttribute(spanAttributes.applyResult, result);
      // An abandoned event is applied later (redelivered, under a span of its own): not an error.
      if (result === 'dead_lettered')
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'event dead-lettered' });
      span.end();
    });
  });
}
