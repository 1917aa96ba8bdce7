/**
 * The hash of one entity as the processor writes it: the projection's fields under their names as
 * canonical strings (decimal integers, lower-case addresses and hex, `true`/`false`), fields never
 * written absent, plus `entityFields` (`src/domain/readModel.ts`).
 */
export type EntityRecord = Readonly<Record<string, string>>;

/** One entity as resolvers receive it: its key string (`entityKeyString`) and its hash. */
export type EntityNode = { key: string; record: EntityRecord };

/** A projection field as stored: `additive` fields (written by add/sub) count from 0. */
export type StoredEntityField = { name: string; additive: boolean };

/** The stored value of a field; an additive field never written reads `0`, any other undefined. */
export function entityFieldValue(record: EntityRecord, field: StoredEntityField): string | undefined {
  return record[field.name] ?? (field.additive ? '0' : undefined);
}
