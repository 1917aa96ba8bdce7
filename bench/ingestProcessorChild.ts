/**
 * The processor of `bench:ingest`'s "separate processes" run, in a process of its own as
 * `blockwire start --role process` runs it. Started by bench/ingest.ts with fork(); it receives the
 * raw config, answers `{ notifyAt: n }` with `{ reached }` once n events are applied, and stops on
 * `{ stop: true }`.
 */
import { createProcessor } from '../src/process/index.ts';
import { processMetrics } from '../src/process/metrics.ts';
import { parseConfig } from '../src/shared/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';

type Message = { config?: unknown; notifyAt?: number; stop?: true };

const logger = createLogger('bench-processor');
let processor: ReturnType<typeof createProcessor> | undefined;

async function applied(): Promise<number> {
  const { values } = await processMetrics.applied.get();
  return values.reduce((sum, value) => sum + value.value, 0);
}

process.on('message', (message: Message) => {
  void (async () => {
    if (message.config) {
      processor = createProcessor({ config: parseConfig({ raw: message.config, baseDir: '.' }), logger });
      await processor.start();
      process.send?.({ started: true });
    } else if (message.notifyAt !== undefined) {
      // Watches its own count (as the bench does in the processor's process) and says once when it
      // reaches the target: asking over IPC every few ms cost both processes CPU the bench counted.
      for (;;) {
        const count = await applied();
        if (count >= message.notifyAt) {
          process.send?.({ reached: count });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } else if (message.stop) {
      await processor?.stop();
      process.send?.({ stopped: true }, () => process.exit(0));
    }
  })().catch((error: unknown) => {
    logger.error({ msg: 'Bench processor failed', err: (error as Error).message });
    process.exit(1);
  });
});
