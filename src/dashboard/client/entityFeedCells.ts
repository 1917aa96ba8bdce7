import { parseEntityKeyString } from '../../domain/names.ts';
import type { DashboardEntityUpdatesSubscription } from '../generated/graphql.ts';

/** One entity update as the dashboard feed receives it. */
export type FeedEntityUpdate = DashboardEntityUpdatesSubscription['entityUpdates'];

/**
 * The cells of an entity update's feed line, in the feed table's columns: UPDATED or DELETED, the
 * block and log of the event that made the change, `<Contract>.<Projection> <key values>`, the chain.
 * An update has no history and no transaction of its own.
 */
export function entityFeedCells(update: FeedEntityUpdate): Array<[field: string, text: string]> {
  const [block = '?', log = '?'] = update.cursor.split('-');
  return [
    ['status', update.deleted ? 'DELETED' : 'UPDATED'],
    ['history', 'entity'],
    ['block', `${block}:${log}`],
    ['event', `${update.contractName}.${update.projection} ${parseEntityKeyString(update.key).join(', ')}`],
    ['chain', String(update.chainId)],
    ['tx', '—'],
  ];
}
