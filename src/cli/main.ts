import { isDependencyUnreachable } from '../shared/dependency.ts';
import { BaseError, ConfigError } from '../shared/errors/index.ts';
import { createLogger, currentLogFormat, setLogFormat } from '../shared/logger.ts';
import { resolveLogFormat } from '../shared/resolveLogFormat.ts';
import { parseCommandLine, usage } from './parseCommandLine.ts';
import { runCommand } from './runCommand.ts';

const logger = createLogger('cli');

/**
 * Reports a fatal error and picks the exit code. The last line printed is always one sentence a
 * user can act on (`blockwire: …` on stderr). With JSON logs, a JSON error line for log collectors
 * comes before it; on a terminal the sentence says it all, except for an unexpected error's stack.
 */
function fail(error: unknown): never {
  if (error instanceof BaseError) {
    if (!(error instanceof ConfigError)) {
      // An unreachable dependency is fully described by its message; a stack would only bury it.
      const unreachable = isDependencyUnreachable(error);
      if (currentLogFormat() === 'json' || !unreachable)
        logger.error({ msg: 'Fatal error', code: error.code, err: unreachable ? error.message : error });
    }
    process.stderr.write(`blockwire: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  process.stderr.write(
    `blockwire: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}

try {
  const commandLine = parseCommandLine(process.argv.slice(2));
  setLogFormat(
    resolveLogFormat({
      flag: commandLine.logFormat,
      env: process.env.LOG_FORMAT,
      isTTY: process.stdout.isTTY === true,
    }),
  );
  if (commandLine.command === 'help') {
    process.stdout.write(`${usage}\n`);
  } else {
    await runCommand(commandLine, logger);
    // The roles stopped and closed their connections: a timer a client library left behind (e.g. a
    // kafkajs consumer restarting itself) must not keep a stopped server alive.
    if (commandLine.command === 'start' || commandLine.command === 'dev') process.exit(0);
  }
} catch (error) {
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    fail(new ConfigError(`${error.message}\n\n${usage}`));
  }
  fail(error);
}
