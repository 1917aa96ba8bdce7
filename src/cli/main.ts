import { BaseError, ConfigError } from '../shared/errors/index.ts';
import { createLogger } from '../shared/logger.ts';
import { parseCommandLine, usage } from './parseCommandLine.ts';
import { runCommand } from './runCommand.ts';

const logger = createLogger('cli');

/** Prints a fatal error once, in words a user can act on, and picks the exit code. */
function fail(error: unknown): never {
  if (error instanceof BaseError) {
    process.stderr.write(`blockwire: ${error.message}\n`);
    if (!(error instanceof ConfigError)) logger.error({ msg: 'Fatal error', code: error.code, err: error });
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  process.stderr.write(
    `blockwire: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}

try {
  const commandLine = parseCommandLine(process.argv.slice(2));
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
