import type { Builder } from './builder.ts';
import type { Catalog } from './catalog.ts';
import { addEntityUpdatesSubscription } from './entityUpdatesSubscription.ts';
import { addProjectionQueries } from './projectionQueries.ts';
import { addProjectionSubscription } from './projectionSubscription.ts';
import { addProjectionTypes } from './projectionTypes.ts';

/**
 * Adds the custom state of the config's projections: per projection `C_P` its types, the `C_P` and
 * `C_PList` queries and the `C_PUpdated` subscription, plus `entityUpdates` across all of them.
 */
export function addProjections(builder: Builder, catalog: Catalog) {
  if (catalog.projections.length > 0) {
    const orderDirection = builder.enumType('OrderDirection', {
      description: 'ASC: smallest first. DESC: largest first.',
      values: ['ASC', 'DESC'] as const,
    });
    for (const spec of catalog.projections) {
      const types = addProjectionTypes(builder, spec);
      addProjectionQueries(builder, spec, types, orderDirection);
      addProjectionSubscription(builder, spec, types);
    }
  }
  addEntityUpdatesSubscription(builder);
}
