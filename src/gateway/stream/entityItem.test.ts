import { describe, expect, it } from 'vitest';
import { type EntityChannelMessage, entityJournalFields } from '../../domain/index.ts';
import type { HubMessage } from '../pubsub/channelHub.ts';
import { entityItemOfEntry, entityItemOfMessage } from './entityItem.ts';

const source = `31337:0x${'a'.repeat(40)}/Listing`;
const message = (payload: unknown): HubMessage => ({ channel: 'c', payload, receivedAt: 1 });
const change: EntityChannelMessage = {
  kind: 'entity',
  projection: 'Listing',
  key: '7',
  entity: { price: '5', _b: '12', _c: '12-3' },
  cursor: '12-3',
};

describe('entity items', () => {
  it('reads a channel message of the projection, with its cursor parsed', () => {
    const item = entityItemOfMessage(message(change), source, 'Listing');
    expect(item).toMatchObject({
      key: source,
      cursor: '12-3',
      at: { major: 12n, minor: 3n },
      entityKey: '7',
    });
    expect(item?.entity).toEqual(change.entity);
    expect(entityItemOfMessage(message({ ...change, entity: null }), source, 'Listing')?.entity).toBeNull();
  });

  it('drops messages of another projection or kind, and malformed ones', () => {
    for (const payload of [
      { ...change, projection: 'Other' },
      { ...change, kind: 'event' },
      { ...change, cursor: 'yesterday' },
      { ...change, key: 7 },
      { ...change, entity: { price: 5 } },
      { ...change, entity: ['5'] },
      null,
    ])
      expect(entityItemOfMessage(message(payload), source, 'Listing')).toBeUndefined();
  });

  it('reads a journal entry, whose id is the cursor, deleted entities as null', () => {
    const fields = [entityJournalFields.key, '7', entityJournalFields.entity, 'null'];
    const decoded = entityItemOfEntry(fields, '12-3', source);
    expect(decoded).toMatchObject({
      ok: true,
      value: { key: source, cursor: '12-3', entityKey: '7', entity: null },
    });
    expect(
      entityItemOfEntry([entityJournalFields.key, '7', entityJournalFields.entity, '{'], '12-3', source),
    ).toEqual({ ok: false, reason: 'entity is not JSON' });
    expect(entityItemOfEntry([entityJournalFields.entity, 'null'], '12-3', source).ok).toBe(false);
  });
});
