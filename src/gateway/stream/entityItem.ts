import {
  type DecodeResult,
  type EntityChannelMessage,
  entityJournalFields,
  parseCursor,
} from '../../domain/index.ts';
import type { HubMessage } from '../pubsub/channelHub.ts';
import type { EntityRecord } from '../readModel/entityRecord.ts';
import type { PositionedItem } from './streamItem.ts';

/** A change of one entity as a stream handles it: its key string and the entity after it (null: deleted). */
export type EntityItem = PositionedItem & { entityKey: string; entity: EntityRecord | null };

function isRecord(value: unknown): value is EntityRecord {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((field) => typeof field === 'string')
  );
}

/** The item of a change; undefined when the cursor, key or entity is malformed. */
function entityItem(
  source: string,
  cursor: unknown,
  entityKey: unknown,
  entity: unknown,
  message: HubMessage | undefined,
): EntityItem | undefined {
  if (typeof cursor !== 'string' || typeof entityKey !== 'string') return undefined;
  if (entity !== null && !isRecord(entity)) return undefined;
  const at = parseCursor(cursor);
  if (!at) return undefined;
  return {
    key: source,
    cursor,
    at,
    entityKey,
    entity,
    receivedAt: message?.receivedAt,
    shared: message,
  };
}

// A channel message reaches every subscription of its projection: it is checked once for all of
// them (items are never mutated; a channel carries one projection, so one source key).
const checked = new WeakMap<HubMessage, EntityItem | null>();

/**
 * The item of an entity channel message (`EntityChannelMessage` of `projection`), keyed by the
 * projection's source key; undefined when malformed.
 */
export function entityItemOfMessage(
  message: HubMessage,
  source: string,
  projection: string,
): EntityItem | undefined {
  let item = checked.get(message);
  if (item === undefined) {
    const payload = message.payload as Partial<EntityChannelMessage> | null;
    item =
      payload?.kind === 'entity' && payload.projection === projection
        ? (entityItem(source, payload.cursor, payload.key, payload.entity, message) ?? null)
        : null;
    checked.set(message, item);
  }
  return item ?? undefined;
}

/** The item of a projection journal entry (`entityJournalFields`; its id is the change's cursor). */
export function entityItemOfEntry(fields: string[], id: string, source: string): DecodeResult<EntityItem> {
  const value = (name: string): string | undefined => {
    for (let index = 0; index + 1 < fields.length; index += 2)
      if (fields[index] === name) return fields[index + 1];
    return undefined;
  };
  const entityJson = value(entityJournalFields.entity);
  let entity: unknown;
  try {
    entity = entityJson === undefined ? undefined : JSON.parse(entityJson);
  } catch {
    return { ok: false, reason: 'entity is not JSON' };
  }
  const item = entityItem(source, id, value(entityJournalFields.key), entity, undefined);
  return item ? { ok: true, value: item } : { ok: false, reason: 'missing or malformed key or entity' };
}
