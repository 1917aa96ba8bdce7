import { gatewayMetrics } from '../metrics.ts';
import type { EntityRecord } from '../readModel/entityRecord.ts';
import { type EntityItem, entityItemOfEntry, entityItemOfMessage } from './entityItem.ts';
import { createJournalStream, type JournalStream, type JournalStreamParameters } from './journalStream.ts';
import { createStreamPositions, type StreamSource, sourceKey } from './streamPositions.ts';

/** One delivered change of an entity. */
export type EntityUpdateNode = {
  /** The entity's key string (`entityKeyString`). */
  key: string;
  /** The entity after the change; null when the change deleted it. */
  entity: EntityRecord | null;
  /** Cursor of the event that made the change (of the REMOVED event, for a reversal). */
  cursor: string;
};

/** Parameters of {@link createEntityStream}. */
export type EntityStreamParameters = Pick<
  JournalStreamParameters<EntityItem, EntityUpdateNode>,
  'redis' | 'hub' | 'logger' | 'capacity'
> & {
  /** The projection's journal (`projection` set). */
  source: StreamSource & { projection: string };
  /** The projection's entity channel. */
  channel: string;
  /** Only the changes of this entity (key string); undefined: of every entity. */
  entityKey: string | undefined;
  /** Start after this journal cursor (replaying the journal), or at its tip (live only). */
  after: string | undefined;
};

/**
 * A subscription's stream of entity changes of one projection (`createJournalStream` over its
 * journal and channel): every change after `after` (or from now on), in order, exactly once,
 * reversals included. A slow consumer's error carries `lastCursor`, the `after` to resume with.
 */
export function createEntityStream(params: EntityStreamParameters): JournalStream<EntityUpdateNode> {
  const { source, entityKey } = params;
  const key = sourceKey(source);
  return createJournalStream<EntityItem, EntityUpdateNode>({
    ...params,
    channels: [params.channel],
    sources: [source],
    after: params.after === undefined ? undefined : { [key]: params.after },
    fromMessage: (message) => entityItemOfMessage(message, key, source.projection),
    fromEntry: entityItemOfEntry,
    positions: createStreamPositions<EntityItem>(
      (item) => entityKey === undefined || item.entityKey === entityKey,
    ),
    toNode: (item) => {
      if (item.receivedAt !== undefined)
        gatewayMetrics.latency.observe((performance.now() - item.receivedAt) / 1000);
      return { key: item.entityKey, entity: item.entity, cursor: item.cursor! };
    },
    resumeHint: (positions) => ({
      items: 'updates',
      message: 'Resubscribe with after: the lastCursor in extensions.',
      extensions: { lastCursor: positions.delivered()[key] ?? null },
    }),
  });
}
