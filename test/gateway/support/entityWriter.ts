import type { Redis } from 'ioredis';
import {
  type EntityChannelMessage,
  encodeCursor,
  entityChannel,
  entityFields,
  entityJournalFields,
  entityKey,
  entityKeyString,
  projectionKeys,
} from '../../../src/domain/index.ts';

/** Parameters of {@link createEntityWriter}. */
export type CreateEntityWriterParameters = {
  redis: Redis;
  keyPrefix: string;
  chainId: number;
  address: string;
  projection: string;
  /** The names of the key fields, in key order (stored in the hash too). */
  keyFields: string[];
};

/** A change written: the entity's key string and the cursor of the change. */
export type WrittenChange = { key: string; cursor: string; entity: Record<string, string> | null };

/**
 * Writes entity changes of one projection into Redis the way the processor's apply script does,
 * with the read model's names from src/domain: the entity hash (key fields, fields, `_b`, `_c`) and
 * its index membership, a journal entry whose id is the change's cursor, and the channel message,
 * all in one MULTI. For gateway tests that do not depend on the processor.
 */
export function createEntityWriter(params: CreateEntityWriterParameters) {
  const { redis, keyPrefix, chainId, address, projection } = params;
  const keys = projectionKeys(keyPrefix, chainId, address, projection);
  const channel = entityChannel(keyPrefix, chainId, address, projection);

  const write = async (
    keyValues: string[],
    fields: Record<string, string> | null,
    block: number,
    logIndex: number,
  ): Promise<WrittenChange> => {
    const key = entityKeyString(keyValues);
    const cursor = encodeCursor(block, logIndex);
    const hash = entityKey(keyPrefix, chainId, address, projection, key);
    const entity =
      fields === null
        ? null
        : {
            ...Object.fromEntries(params.keyFields.map((name, index) => [name, keyValues[index]!])),
            ...fields,
            [entityFields.updatedAtBlock]: String(block),
            [entityFields.cursor]: cursor,
          };
    const message: EntityChannelMessage = { kind: 'entity', projection, key, entity, cursor };
    const multi = redis.multi().del(hash);
    if (entity) multi.hset(hash, entity).zadd(keys.index, 0, key);
    else multi.zrem(keys.index, key);
    multi
      .xadd(
        keys.journal,
        cursor,
        entityJournalFields.key,
        key,
        entityJournalFields.entity,
        JSON.stringify(entity),
      )
      .publish(channel, JSON.stringify(message));
    const results = (await multi.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    return { key, cursor, entity };
  };

  return {
    /** Sets the whole entity (the hash after the change) at a chain position. */
    put: (keyValues: string[], fields: Record<string, string>, block: number, logIndex = 0) =>
      write(keyValues, fields, block, logIndex),
    /** Deletes the entity at a chain position. */
    remove: (keyValues: string[], block: number, logIndex = 0) => write(keyValues, null, block, logIndex),
    /** The projection's journal key (to trim it in tests). */
    journalKey: keys.journal,
  };
}

/** The entity writer of one projection. */
export type EntityWriter = ReturnType<typeof createEntityWriter>;
