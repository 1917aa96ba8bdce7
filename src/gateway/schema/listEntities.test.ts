import { describe, expect, it } from 'vitest';
import { entityFields, entityKeyString } from '../../domain/index.ts';
import { type EntityNode, entityFieldValue } from '../readModel/entityRecord.ts';
import { decodeEntityListCursor, encodeEntityListCursor } from './entityListCursor.ts';
import { type EntityValueReader, listEntities } from './listEntities.ts';

const node = (id: string, owner: string, fields: Record<string, string>): EntityNode => ({
  key: entityKeyString([id, owner]),
  record: { ...fields, [entityFields.updatedAtBlock]: '1' },
});

const entities = [
  node('9', '0xbb', { price: '20', open: 'true' }),
  node('10', '0xaa', { price: '3', open: 'false', score: '-5' }),
  node('10', '0xbb', { price: '20', open: 'true', score: '7' }),
  node('2', '0xaa', { open: 'true' }),
];

const price: EntityValueReader = {
  name: 'price',
  type: 'BigInt',
  read: (e) => entityFieldValue(e.record, { name: 'price', additive: false }),
};
const score: EntityValueReader = {
  name: 'score',
  type: 'BigInt',
  read: (e) => entityFieldValue(e.record, { name: 'score', additive: true }),
};
const open: EntityValueReader = { name: 'open', type: 'Boolean', read: (e) => e.record.open };
const base = { where: [], keyTypes: ['BigInt', 'Address'] as const, first: 10, after: undefined };
const keys = (items: EntityNode[]) => items.map((item) => item.key);

describe('listEntities', () => {
  it('orders integers numerically, ties by key (numeric parts numerically), missing values last both ways', () => {
    const ascending = listEntities({
      ...base,
      keyTypes: [...base.keyTypes],
      entities,
      orderBy: price,
      order: 'ASC',
    });
    expect(keys(ascending.items)).toEqual(['10:0xaa', '9:0xbb', '10:0xbb', '2:0xaa']);
    const descending = listEntities({
      ...base,
      keyTypes: [...base.keyTypes],
      entities,
      orderBy: price,
      order: 'DESC',
    });
    expect(keys(descending.items)).toEqual(['10:0xbb', '9:0xbb', '10:0xaa', '2:0xaa']);
  });

  it('orders negative integers and additive fields that were never written as 0', () => {
    const page = listEntities({
      ...base,
      keyTypes: [...base.keyTypes],
      entities,
      orderBy: score,
      order: 'ASC',
    });
    expect(keys(page.items)).toEqual(['10:0xaa', '2:0xaa', '9:0xbb', '10:0xbb']);
  });

  it('orders booleans false first and filters by equality on every condition', () => {
    const page = listEntities({
      ...base,
      keyTypes: [...base.keyTypes],
      entities,
      orderBy: open,
      order: 'ASC',
      where: [{ field: score, value: '0' }],
    });
    expect(keys(page.items)).toEqual(['2:0xaa', '9:0xbb']);
  });

  it('pages with an endCursor that goes on right after the last entity, and keeps it on an empty page', () => {
    const params = {
      ...base,
      keyTypes: [...base.keyTypes],
      entities,
      orderBy: price,
      order: 'DESC' as const,
      first: 2,
    };
    const first = listEntities(params);
    expect(first.hasNextPage).toBe(true);
    const position = decodeEntityListCursor(first.endCursor!);
    expect(position).toEqual({ orderBy: 'price', order: 'DESC', value: '20', key: '9:0xbb' });
    const second = listEntities({ ...params, after: position });
    expect(keys(second.items)).toEqual(['10:0xaa', '2:0xaa']);
    expect(second.hasNextPage).toBe(false);
    const end = decodeEntityListCursor(second.endCursor!);
    expect(end?.value).toBeUndefined();
    const empty = listEntities({ ...params, after: end });
    expect(empty.items).toEqual([]);
    expect(empty.endCursor).toBe(second.endCursor);
  });

  it('gives no endCursor for an empty list read from the start', () => {
    const page = listEntities({
      ...base,
      keyTypes: [...base.keyTypes],
      entities: [],
      orderBy: price,
      order: 'ASC',
    });
    expect(page).toEqual({ items: [], endCursor: null, hasNextPage: false });
  });
});

describe('entity list cursors', () => {
  it('round-trip and refuse anything else', () => {
    const position = { orderBy: 'price', order: 'ASC' as const, value: '5', key: '1' };
    expect(decodeEntityListCursor(encodeEntityListCursor(position))).toEqual(position);
    for (const bad of [
      '',
      '12-3',
      'el1.',
      'el1.bm90IGpzb24',
      `el1.${Buffer.from('["a","UP",null,"k"]').toString('base64url')}`,
    ])
      expect(decodeEntityListCursor(bad)).toBeUndefined();
  });
});
