import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import type { Config } from '../config/index.ts';
import { type Logger, redactUrl } from '../logger.ts';
import { activeTracing, setActiveTracing } from './tracing.ts';

export { spanAttributes, spanNames } from './spanNames.ts';
export { activeTracing, type Tracing } from './tracing.ts';

/** The `telemetry` section of the config. */
export type TelemetryConfig = Config['telemetry'];

/** Tracing of one process, started once by the CLI before the roles. */
export type Telemetry = {
  /** True when spans are exported (an OTLP endpoint is configured). */
  enabled: boolean;
  /** Exports the spans still buffered (waiting at most a few seconds) and stops tracing. Idempotent. */
  shutdown(): Promise<void>;
};

/** Parameters of {@link createTelemetry}. */
export type CreateTelemetryParameters = {
  config: TelemetryConfig;
  logger: Logger;
  /** Longest wait for the last export on shutdown. Default 5 s (the process shutdown allows 15 s). */
  flushTimeoutMs?: number;
};

/** `<endpoint>/v1/traces`, the OTLP/HTTP traces path, unless the endpoint already names it. */
function tracesUrl(endpoint: string): string {
  const base = endpoint.replace(/\/+$/, '');
  return base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
}

/** The SDK's own warnings and errors (failed exports, dropped spans) as pino logs. */
function diagLogger(logger: Logger): DiagLogger {
  const log =
    (level: 'error' | 'warn' | 'info' | 'debug') =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ msg: `OpenTelemetry: ${message}`, details: args.length > 0 ? args : undefined });
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('debug'),
  };
}

const disabled: Telemetry = { enabled: false, shutdown: async () => {} };

/**
 * Starts OpenTelemetry tracing when `telemetry.otlpEndpoint` is set: a tracer provider whose spans
 * carry `service.name`, sampled by `sampleRatio` where a trace starts and by the parent's decision
 * elsewhere, batched and exported as OTLP/HTTP JSON. The roles find it through `activeTracing()`.
 * Without an endpoint nothing is loaded or started and the roles do no tracing work.
 */
export async function createTelemetry({
  config,
  logger,
  flushTimeoutMs = 5_000,
}: CreateTelemetryParameters): Promise<Telemetry> {
  if (config.otlpEndpoint === undefined) return disabled;
  if (activeTracing()) throw new Error('Telemetry is already started in this process');
  // Loaded only when tracing is on: a process without an endpoint never loads the SDK.
  const [sdk, { OTLPTraceExporter }, { resourceFromAttributes }, { ATTR_SERVICE_NAME }, { createTracing }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      import('./createTracing.ts'),
    ]);
  const url = tracesUrl(config.otlpEndpoint);
  const telemetryLogger = logger.child({ component: 'telemetry' });
  diag.setLogger(diagLogger(telemetryLogger), DiagLogLevel.WARN);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.serviceName }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url, timeoutMillis: 10_000 }))],
  });
  const tracing = createTracing(provider.getTracer('blockwire'));
  setActiveTracing(tracing);
  telemetryLogger.info({
    msg: 'Tracing on: exporting spans over OTLP/HTTP',
    endpoint: redactUrl(url),
    service_name: config.serviceName,
    sample_ratio: config.sampleRatio,
  });

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    if (activeTracing() === tracing) setActiveTracing(undefined);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), flushTimeoutMs);
    });
    try {
      const outcome = await Promise.race([provider.shutdown().then(() => 'done' as const), timedOut]);
      if (outcome === 'timeout')
        telemetryLogger.warn({
          msg: 'Exporting the last spans timed out; they are dropped',
          timeout_ms: flushTimeoutMs,
        });
    } catch (error) {
      telemetryLogger.warn({ msg: 'Exporting the last spans failed', err: error });
    } finally {
      clearTimeout(timer);
      diag.disable();
    }
  };
  return {
    enabled: true,
    shutdown: () => {
      stopping ??= stop();
      return stopping;
    },
  };
}
