import type { Admin, Kafka } from 'kafkajs';
import { fetchHighWatermarks } from '../../shared/fetchHighWatermarks.ts';
import type { Logger } from '../../shared/logger.ts';
import { processMetrics } from '../metrics.ts';

/** Tracks a replay of `events.confirmed` under a new epoch until the epoch's group caught up. */
export type RebuildProgress = {
  /** Records the topic's end offsets (high watermarks) as the target to catch up with. */
  begin(epoch: string): Promise<void>;
  /** Ends the rebuild once `group` committed up to the target on every partition. */
  check(group: string, epoch: string): Promise<void>;
  /** True while a rebuild has not caught up yet. */
  active(): boolean;
};

/** Parameters of {@link createRebuildProgress}. */
export type CreateRebuildProgressParameters = { kafka: Kafka; admin: Admin; topic: string; logger: Logger };

/** Creates the rebuild tracker of a processor (it drives `blockwire_process_rebuilding`). */
export function createRebuildProgress({
  kafka,
  admin,
  topic,
  logger,
}: CreateRebuildProgressParameters): RebuildProgress {
  let target: Map<number, bigint> | undefined;
  return {
    async begin(epoch) {
      processMetrics.rebuilds.inc();
      processMetrics.rebuilding.set(1);
      logger.warn({ msg: 'Rebuilding the projection: replaying events.confirmed from the beginning', epoch });
      const extents = await fetchHighWatermarks(kafka, topic);
      target = new Map(extents.map(({ partition, high }) => [partition, high]));
    },
    async check(group, epoch) {
      if (!target) return;
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(
        (committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]),
      );
      for (const [partition, high] of target)
        if (high > 0n && (byPartition.get(partition) ?? -1n) < high) return;
      target = undefined;
      processMetrics.rebuilding.set(0);
      logger.info({ msg: 'Rebuild complete: caught up with events.confirmed', epoch });
    },
    active: () => target !== undefined,
  };
}
