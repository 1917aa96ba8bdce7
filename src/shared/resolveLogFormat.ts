import { ConfigError } from './errors/index.ts';

/** How log lines are written: one JSON object per line, or readable lines for a person. */
export type LogFormat = 'json' | 'pretty';

/** The log formats, as `--log-format` and `LOG_FORMAT` accept them. */
export const logFormats: readonly LogFormat[] = ['json', 'pretty'];

/** Parameters of {@link resolveLogFormat}. */
export type ResolveLogFormatParameters = {
  /** `--log-format` from the command line, when given. */
  flag?: string | undefined;
  /** The `LOG_FORMAT` environment variable. */
  env?: string | undefined;
  /** Whether the log lines go to a terminal (stdout is a TTY). */
  isTTY: boolean;
};

const isLogFormat = (value: string): value is LogFormat => (logFormats as readonly string[]).includes(value);

/**
 * Picks the log format: `--log-format` wins, then `LOG_FORMAT`, else readable lines on a terminal and
 * JSON everywhere else (pipes, files, log collectors). An unknown value is a ConfigError naming where
 * it came from.
 */
export function resolveLogFormat({ flag, env, isTTY }: ResolveLogFormatParameters): LogFormat {
  for (const [source, value] of [
    ['--log-format', flag],
    ['LOG_FORMAT', env],
  ] as const) {
    if (value === undefined || value === '') continue;
    if (isLogFormat(value)) return value;
    throw new ConfigError(`${source} must be json or pretty. Got ${value}.`);
  }
  return isTTY ? 'pretty' : 'json';
}
