import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { type LogFormat, resolveLogFormat } from './resolveLogFormat.ts';

export type { Logger } from 'pino';
export type { LogFormat } from './resolveLogFormat.ts';

/** The format picked from `LOG_FORMAT` and the terminal until the CLI applies `--log-format`. */
function initialFormat(): LogFormat {
  try {
    return resolveLogFormat({ env: process.env.LOG_FORMAT, isTTY: process.stdout.isTTY === true });
  } catch {
    // The CLI reports the bad value once it parsed its arguments; log JSON until then.
    return 'json';
  }
}

let format: LogFormat = initialFormat();
let prettify: ((line: string) => string) | undefined;

/**
 * Below error level, an error is shown by its message on the line it belongs to; at error level with
 * its stack too. kafkajs and our retry lines carry the error as a string, shown the same way.
 */
function inlineErrors(entry: Record<string, unknown>): Record<string, unknown> {
  const { err, ...rest } = entry;
  if (err === undefined) return entry;
  if (typeof err === 'string') return { ...rest, error: err };
  const level = typeof entry.level === 'number' ? entry.level : 0;
  const message = (err as { message?: unknown } | null)?.message;
  if (level < 50 && typeof message === 'string') return { ...rest, error: message };
  return entry;
}

/**
 * Readable lines: time, level, where the line comes from (the role, else the component), the
 * message, then the other fields on the same line. Colours only on a terminal that supports them.
 */
function createPrettifier(): (line: string) => string {
  const prettify = prettyFactory({
    colorize: process.stdout.isTTY === true && !process.env.NO_COLOR,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,component,role',
    singleLine: true,
    errorLikeObjectKeys: ['err'],
    messageFormat: (log, messageKey) => {
      const source = log.role ?? log.component;
      const message = String(log[messageKey] ?? '');
      return source === undefined ? message : `[${String(source)}] ${message}`;
    },
  });
  return (line) => {
    try {
      return prettify(inlineErrors(JSON.parse(line) as Record<string, unknown>));
    } catch {
      return prettify(line);
    }
  };
}

/**
 * Where every logger writes: stdout, as JSON lines or prettified. Both go through
 * `process.stdout.write`, so log lines and what the CLI prints itself (the ready banner) come out in
 * the order they were written.
 */
const destination = {
  write(line: string): void {
    if (format === 'json') {
      process.stdout.write(line);
      return;
    }
    prettify ??= createPrettifier();
    process.stdout.write(prettify(line));
  },
};

const root = pino(
  {
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
    base: undefined,
    // Never log credentials: RPC and Redis URLs are redacted wherever they appear under these keys.
    redact: {
      paths: ['rpc', 'url', 'rpcUrl', 'redisUrl', '*.rpc', '*.url', 'password', 'secret'],
      censor: '[redacted]',
    },
  },
  destination,
);

/** A child logger for one component; one JSON object (or one readable line) per line. */
export function createLogger(name: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component: name, ...bindings });
}

/** Switches every logger, existing ones included, to `next` (the CLI applies `--log-format`). */
export function setLogFormat(next: LogFormat): void {
  format = next;
}

/** The format log lines are written in now. */
export function currentLogFormat(): LogFormat {
  return format;
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
