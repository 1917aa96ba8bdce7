import pino, { type Logger } from 'pino';

/**
 * A logger for ingestors under test: silent unless `INGEST_TEST_LOG` names a file, then every line
 * (debug and up) goes there — the first place to look when an ingest test fails.
 */
export function testLogger(name: string): Logger {
  const file = process.env.INGEST_TEST_LOG;
  if (!file) return pino({ level: 'silent' });
  return pino(
    {
      level: (process.env.INGEST_TEST_LOG_LEVEL as 'debug' | 'trace' | undefined) ?? 'debug',
      base: { test: name },
    },
    pino.destination({ dest: file, append: true, sync: true }),
  );
}
