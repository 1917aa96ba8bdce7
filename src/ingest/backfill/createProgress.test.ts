import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createProgress } from './createProgress.ts';

/** A pino logger whose lines land in `lines`, and a non-TTY stream (so progress is logged). */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)));
      callback();
    },
  });
  return { lines, logger: pino({ level: 'info' }, sink), stream: sink as unknown as NodeJS.WriteStream };
}

describe('createProgress', () => {
  it('ends a complete backfill with "Backfill finished" and its totals', async () => {
    const { lines, logger, stream } = capture();
    const progress = createProgress({ chainId: 1, fromBlock: 10, toBlock: 19, logger, stream });
    progress.advance(14, 7);
    progress.advance(19, 3);
    progress.finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.at(-1)).toMatchObject({
      msg: 'Backfill finished',
      blocks_done: 10,
      blocks_total: 10,
      logs: 10,
    });
  });

  it('ends a failed backfill with "Backfill stopped", how far it got and the error', async () => {
    const { lines, logger, stream } = capture();
    const progress = createProgress({ chainId: 1, fromBlock: 10, toBlock: 19, logger, stream });
    progress.advance(14, 7);
    progress.finish(new Error('eth_getLogs refuses even the single block 15'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.at(-1)).toMatchObject({
      msg: 'Backfill stopped',
      level: 40,
      blocks_done: 5,
      blocks_total: 10,
      logs: 7,
      err: 'eth_getLogs refuses even the single block 15',
    });
    expect(lines.some((line) => line.msg === 'Backfill finished')).toBe(false);
  });
});
