import { parseEntityKeyString } from '../../domain/index.ts';
import type { ProjectionFieldType } from '../../shared/config/index.ts';
import type { EntityNode } from '../readModel/entityRecord.ts';
import { type EntityListPosition, encodeEntityListCursor } from './entityListCursor.ts';

/** An entity as listed: its key string and its hash. */
export type ListedEntity = EntityNode;

/** How to read one value of a listed entity (a key field, a field or `updatedAtBlock`). */
export type EntityValueReader = {
  name: string;
  type: ProjectionFieldType;
  /** The stored (canonical) value; undefined when the entity has none. */
  read: (entity: ListedEntity) => string | undefined;
};

/** Parameters of {@link listEntities}. */
export type ListEntitiesParameters = {
  entities: ListedEntity[];
  /** Equality conditions, all of which must hold; `value` is canonical like the stored values. */
  where: { field: EntityValueReader; value: string }[];
  orderBy: EntityValueReader;
  order: 'ASC' | 'DESC';
  /** Types of the key fields, in key order (ties are ordered by key). */
  keyTypes: ProjectionFieldType[];
  first: number;
  /** The position a previous page ended at (its `orderBy` and `order` are the same). */
  after: EntityListPosition | undefined;
};

/** One page of entities. */
export type EntityPage = { items: ListedEntity[]; endCursor: string | null; hasNextPage: boolean };

type Sortable = bigint | string;
type Row = {
  entity: ListedEntity | undefined;
  text: string | undefined;
  value: Sortable | undefined;
  key: Sortable[];
};

const integer = /^-?\d+$/;

function sortable(type: ProjectionFieldType, text: string | undefined): Sortable | undefined {
  if (text === undefined) return undefined;
  if (type !== 'BigInt') return text;
  return integer.test(text) ? BigInt(text) : undefined;
}

function compareParts(a: Sortable | undefined, b: Sortable | undefined): number {
  if (a === undefined || b === undefined || a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * Total order of a list: by value (integers numerically, booleans false before true, other values
 * by their canonical text), entities without a value last in either direction, ties by key.
 */
function compareRows(a: Row, b: Row, direction: 1 | -1): number {
  if (a.value === undefined || b.value === undefined) {
    if (a.value !== b.value) return a.value === undefined ? 1 : -1;
  } else {
    const byValue = compareParts(a.value, b.value);
    if (byValue !== 0) return direction * byValue;
  }
  const parts = Math.max(a.key.length, b.key.length);
  for (let index = 0; index < parts; index++) {
    const byKey = compareParts(a.key[index], b.key[index]);
    if (byKey !== 0) return direction * byKey;
  }
  return 0;
}

/**
 * Filters, orders and pages a projection's entities in memory. Pages are keyset-paginated: the
 * `endCursor` holds the last entity's sort value and key, so a page goes on right after it even when
 * entities were added or removed meanwhile. An empty page keeps the `after` it was given as its
 * `endCursor`, so a client can ask again later for what comes after.
 */
export function listEntities(params: ListEntitiesParameters): EntityPage {
  const { orderBy, order, keyTypes, first, after } = params;
  const direction = order === 'DESC' ? -1 : 1;
  const row = (entity: ListedEntity | undefined, text: string | undefined, key: string): Row => ({
    entity,
    text,
    value: sortable(orderBy.type, text),
    key: parseEntityKeyString(key).map((part, index) => sortable(keyTypes[index] ?? 'String', part) ?? part),
  });
  const rows = params.entities
    .filter((entity) => params.where.every(({ field, value }) => field.read(entity) === value))
    .map((entity) => row(entity, orderBy.read(entity), entity.key))
    .sort((a, b) => compareRows(a, b, direction));
  let start = 0;
  if (after) {
    const position = row(undefined, after.value, after.key);
    start = rows.findIndex((candidate) => compareRows(candidate, position, direction) > 0);
    if (start < 0) start = rows.length;
  }
  const page = rows.slice(start, start + first);
  const last = page.at(-1);
  const endCursor = last
    ? encodeEntityListCursor({ orderBy: orderBy.name, order, value: last.text, key: last.entity!.key })
    : after
      ? encodeEntityListCursor(after)
      : null;
  return {
    items: page.map((item) => item.entity!),
    endCursor,
    hasNextPage: rows.length > start + first,
  };
}
