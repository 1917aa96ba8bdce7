/**
 * The processor of `bench:ingest`'s "separate processes" run, in a process of its own as
 * `blockwire start --role process` runs it. Started by bench/ingest.ts with fork(); it receives the
 * raw config, answers `{ count: true }` with the events applied so far, and stops on `{ stop: true }`.
 */
import { createProcessor } from '../src/process/index.ts';
import { processMetrics } from '../src/process/metrics.ts';
import { parseConfig } from '../src/shared/config/index.ts';
import { createLogger } from '../src/shared/logger.ts';

type Message = { config?: unknown; count?: true; stop?: true };

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
    } else if (message.count) {
      process.send?.({ applied: await applied() });
    } else if (message.stop) {
      await processor?.stop();
      process.send?.({ stopped: true }, () => process.exit(0));
    }
  })().catch((error: unknown) => {
    logger.error({ msg: 'Bench processor failed', err: (error as Error).message });
    process.exit(1);
  });
});
