import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/** A logger that keeps every line at `level` and above (parsed), for tests that assert on logs. */
export function captureLogger(level: pino.Level = 'warn'): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
