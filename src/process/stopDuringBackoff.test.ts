import { setTimeout as sleep } from 'node:timers/promises';
import type { ChainableCommander, Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createBatchApplier, type PreparedChunk } from './batch-applier/index.ts';
import { execUntilAcknowledged } from './execUntilAcknowledged.ts';
import type { ProcessScripts } from './scripts.ts';

/** A logger that reports each retry's wait (`delay_ms`) as it is announced. */
function retryWatcher() {
  let onWait: (delayMs: number, attempt: number) => void = () => {};
  const logger = pino(
    { level: 'warn', base: undefined },
    {
      write: (line: string) => {
        const entry = JSON.parse(line) as { delay_ms?: number; attempt?: number };
        if (entry.delay_ms !== undefined) onWait(entry.delay_ms, entry.attempt ?? 0);
      },
    },
  );
  /** Resolves with the announced length of the first wait of at least `minDelayMs`. */
  const longWait = (minDelayMs: number) =>
    new Promise<number>((resolve) => {
      onWait = (delayMs) => {
        if (delayMs >= minDelayMs) resolve(delayMs);
      };
    });
  return { logger, longWait };
}

/** A pipeline whose every exec fails the way a Redis that went away does. */
const refusingPipeline = () =>
  ({
    bwApply: () => {},
    bwChainStatus: () => {},
    exec: () => Promise.reject(new Error('Connection is closed.')),
  }) as unknown as ChainableCommander & ProcessScripts;

/**
 * Aborts once a backoff wait of at least 1.5 s has begun, then checks the loop settled before that
 * wait could have ended on its own.
 */
async function abortDuringLongWait<T>(run: (signal: AbortSignal, logger: pino.Logger) => Promise<T>) {
  const controller = new AbortController();
  const { logger, longWait } = retryWatcher();
  const waiting = longWait(1_500);
  const outcome = run(controller.signal, logger);
  const delayMs = await waiting;
  controller.abort(new Error('stop'));
  const first = await Promise.race([outcome, sleep(delayMs - 500).then(() => 'still waiting' as const)]);
  return { first, outcome: await outcome };
}

describe('retry loops of the processor stop waiting when the consumer stops', () => {
  it('execUntilAcknowledged returns "stopped" during a backoff wait, without another attempt', async () => {
    let execs = 0;
    let heartbeats = 0;
    let execsAtAbort = -1;
    const { first, outcome } = await abortDuringLongWait((signal, logger) => {
      signal.addEventListener('abort', () => {
        execsAtAbort = execs;
      });
      return execUntilAcknowledged({
        send: async () => {
          execs++;
          return (await refusingPipeline().exec()) ?? [];
        },
        signal,
        heartbeat: async () => {
          heartbeats++;
        },
        logger,
        what: 'write',
      });
    });
    expect(first).toBe('stopped');
    expect(outcome).toBe('stopped');
    expect(execs).toBe(execsAtAbort);
    expect(heartbeats).toBe(execs - 1);
  }, 60_000);

  it('the batch applier returns "stopped" during a backoff wait', async () => {
    const redis = { pipeline: refusingPipeline } as unknown as Redis & ProcessScripts;
    const { first, outcome } = await abortDuringLongWait((signal, logger) => {
      const applier = createBatchApplier({
        redis,
        settings: { keyPrefix: 'unit:', journalMaxEntries: 10, reorgWindowBlocks: 10 },
        abiKinds: new Map(),
        logger,
      });
      // One run of one event: only the pipeline is exercised, and it always fails.
      const chunk = {
        topic: 't',
        partition: 0,
        invalid: [],
        runs: [[{}]],
        calls: [[1, 'key']],
        processed: new Map(),
      } as unknown as PreparedChunk;
      return applier.apply(chunk, {
        shouldContinue: () => !signal.aborted,
        heartbeat: async () => {},
        signal,
      });
    });
    expect(first).toEqual({ kind: 'stopped' });
    expect(outcome).toEqual({ kind: 'stopped' });
  }, 60_000);

  it('gives up an attempt Redis never answers and acknowledges the next one', async () => {
    let attempts = 0;
    const outcome = await execUntilAcknowledged({
      send: () => {
        attempts++;
        // The first reply is lost: the promise never settles.
        return attempts === 1 ? new Promise(() => {}) : Promise.resolve([[null, 'ok']]);
      },
      signal: new AbortController().signal,
      heartbeat: async () => {},
      logger: pino({ level: 'silent' }),
      what: 'apply',
      attemptTimeoutMs: 50,
    });
    expect(outcome).toBe('acknowledged');
    expect(attempts).toBe(2);
  });
});
