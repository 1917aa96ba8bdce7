import type { Admin } from 'kafkajs';
import { type Dependency, startProbes } from '../../shared/dependency.ts';
import type { EpochManager } from '../epoch/index.ts';

/** Parameters of {@link watchDependencies}. */
export type WatchDependenciesParameters = {
  epochs: EpochManager;
  dependencies: { kafka: Dependency; redis: Dependency };
  intervalMs: number;
  /** The connected admin, once Kafka answered (Kafka is probed only from then on). */
  admin: () => Admin | undefined;
  /** Called with the epoch marker read on each tick. */
  onEpochMarker: (value: string | null) => void;
  /** Called after a Kafka probe succeeded (e.g. to check a rebuild's progress). */
  onKafkaTick: () => Promise<void>;
};

/**
 * Every `intervalMs`, reads the epoch marker (which also tells whether Redis answers) and asks Kafka
 * for its cluster metadata, so readiness follows an outage of either even while no batch arrives.
 * Returns a function that stops watching.
 */
export function watchDependencies({
  epochs,
  dependencies,
  intervalMs,
  admin,
  onEpochMarker,
  onKafkaTick,
}: WatchDependenciesParameters): () => void {
  return startProbes(
    [
      { dependency: dependencies.redis, call: () => epochs.read(), onAnswer: onEpochMarker },
      { dependency: dependencies.kafka, call: () => admin()?.describeCluster(), onAnswer: onKafkaTick },
    ],
    intervalMs,
  );
}
