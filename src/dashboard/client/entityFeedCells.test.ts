import { describe, expect, it } from 'vitest';
import { entityFeedCells } from './entityFeedCells.ts';

describe('entityFeedCells', () => {
  it('shows contract, projection, key values and whether the entity was deleted', () => {
    const update = {
      chainId: 31337,
      contractName: 'Market',
      projection: 'Offer',
      key: '0xabc:a%3Ab',
      deleted: true,
      cursor: '120-4',
    };
    expect(Object.fromEntries(entityFeedCells(update))).toEqual({
      status: 'DELETED',
      history: 'entity',
      block: '120:4',
      event: 'Market.Offer 0xabc, a:b',
      chain: '31337',
      tx: '—',
    });
    expect(entityFeedCells({ ...update, deleted: false })[0]).toEqual(['status', 'UPDATED']);
  });
});
