import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

const root = pino({
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
  base: undefined,
  // Never log credentials: RPC and Redis URLs are redacted wherever they appear under these keys.
  redact: {
    paths: ['rpc', 'url', 'rpcUrl', 'redisUrl', '*.rpc', '*.url', 'password', 'secret'],
    censor: '[redacted]',
  },
});

/** A child logger for one component; one JSON object per line. */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component: name, ...bindings });
}

/** Strips user info, query and path from a URL so it can be logged (`https://host:port`). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return '[invalid url]';
  }
}
