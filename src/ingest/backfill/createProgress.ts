import type { Logger } from '../../shared/logger.ts';
import { ingestMetrics } from '../metrics.ts';

/** Parameters of {@link createProgress}. */
export type CreateProgressParameters = {
  chainId: number;
  fromBlock: number;
  toBlock: number;
  logger: Logger;
  /** Where the bar is drawn; default process.stderr. A non-TTY stream gets log lines instead. */
  stream?: NodeJS.WriteStream;
  /** Interval of log lines (non-TTY) in ms. Default 5000. */
  logIntervalMs?: number;
};

/** Backfill progress: blocks/s, logs/s and ETA as a terminal bar, log lines and metrics. */
export type Progress = {
  /** Blocks up to `blockNumber` are published, with `logs` more logs. */
  advance(blockNumber: number, logs: number): void;
  /** The backfill ended: completely, or stopped by `error` (then the line says so and why). */
  finish(error?: unknown): void;
};

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Creates a backfill progress reporter; see {@link Progress}. */
export function createProgress({
  chainId,
  fromBlock,
  toBlock,
  logger,
  stream = process.stderr,
  logIntervalMs = 5_000,
}: CreateProgressParameters): Progress {
  const chain = String(chainId);
  const total = Math.max(1, toBlock - fromBlock + 1);
  const startedAt = performance.now();
  let done = 0;
  let logs = 0;
  let lastOutput = 0;
  ingestMetrics.backfillTarget.set({ chain_id: chain }, total);
  ingestMetrics.backfillBlocks.set({ chain_id: chain }, 0);

  const figures = () => {
    const elapsed = Math.max(0.001, (performance.now() - startedAt) / 1000);
    const blocksPerSecond = done / elapsed;
    return {
      blocksPerSecond,
      logsPerSecond: logs / elapsed,
      eta: blocksPerSecond > 0 ? (total - done) / blocksPerSecond : Number.POSITIVE_INFINITY,
      elapsed,
    };
  };

  const output = (final: boolean, error?: unknown) => {
    const { blocksPerSecond, logsPerSecond, eta, elapsed } = figures();
    if (error !== undefined) {
      if (stream.isTTY) stream.write('\n');
      logger.warn({
        msg: 'Backfill stopped',
        chain_id: chainId,
        blocks_done: done,
        blocks_total: total,
        logs,
        elapsed_s: Math.round(elapsed),
        err: (error as Error)?.message ?? String(error),
      });
    } else if (stream.isTTY) {
      const width = 30;
      const filled = Math.round((done / total) * width);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
      stream.write(
        `\r[chain ${chainId}] backfill [${bar}] ${((done / total) * 100).toFixed(1)}% ${done}/${total} blocks ` +
          `${blocksPerSecond.toFixed(0)} blocks/s ${logsPerSecond.toFixed(0)} logs/s ETA ${formatDuration(eta)}${final ? '\n' : ''}`,
      );
    } else {
      logger.info({
        msg: final ? 'Backfill finished' : 'Backfill progress',
        chain_id: chainId,
        blocks_done: done,
        blocks_total: total,
        logs,
        blocks_per_s: Math.round(blocksPerSecond),
        logs_per_s: Math.round(logsPerSecond),
        eta_s: Number.isFinite(eta) ? Math.round(eta) : null,
        elapsed_s: Math.round(elapsed),
      });
    }
  };

  return {
    advance(blockNumber, count) {
      done = Math.min(total, blockNumber - fromBlock + 1);
      logs += count;
      ingestMetrics.backfillBlocks.set({ chain_id: chain }, done);
      ingestMetrics.backfillLogs.inc({ chain_id: chain }, count);
      const now = performance.now();
      if (now - lastOutput >= (stream.isTTY ? 200 : logIntervalMs)) {
        lastOutput = now;
        output(false);
      }
    },
    finish: (error) => output(true, error),
  };
}
