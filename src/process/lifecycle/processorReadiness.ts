import type { Dependency } from '../../shared/dependency.ts';
import type { Readiness } from '../../shared/role.ts';
import type { ConsumerPhase } from './consumerLifecycle.ts';

/** What {@link processorReadiness} looks at. */
export type ProcessorReadinessInput = {
  /** `idle` before start, `connecting` until Kafka answered, then the consumer's phase. */
  stage: 'idle' | 'connecting' | 'stopping' | ConsumerPhase;
  kafka: Dependency;
  redis: Dependency;
  rebuilding: boolean;
};

/**
 * A processor is ready when Kafka and Redis answer, its epoch's projection is complete (no rebuild
 * running) and its confirmed-events consumer joined its group. The reason names the dependency at
 * fault, Kafka and Redis separately.
 */
export function processorReadiness({ stage, kafka, redis, rebuilding }: ProcessorReadinessInput): Readiness {
  const dependencies = { kafka: kafka.status(), redis: redis.status() };
  const notReady = (reason: string): Readiness => ({ ready: false, reason, ...dependencies });
  const name = typeof stage === 'string' ? stage : stage.name;
  if (name === 'idle') return notReady('not started');
  if (name === 'stopping' || name === 'stopped') return notReady('stopping');
  const down = [kafka.reason(), redis.reason()].filter((reason) => reason !== undefined);
  if (down.length > 0) return notReady(`${down.join('; ')}; consumption paused`);
  if (name === 'connecting') return notReady('connecting to Kafka');
  if (rebuilding) return notReady('rebuilding the projection from events.confirmed');
  if (name === 'establishing-epoch') return notReady('waiting for the epoch marker in Redis');
  if (typeof stage === 'object' && stage.name === 'consuming' && stage.consumer.joined())
    return { ready: true, ...dependencies };
  return notReady('joining the consumer group');
}
