import type { ResolvedConfig } from '../../shared/config/index.ts';
import type { GraphQLSchema } from '../graphqlJs.ts';
import { addProjections } from './addProjections.ts';
import { createBuilder } from './builder.ts';
import { createCatalog } from './catalog.ts';
import { addChainQueries } from './chainQueries.ts';
import { addEventTypes } from './eventTypes.ts';
import { addGatewayQuery } from './gatewayQuery.ts';
import { addHistoryQuery } from './historyQuery.ts';
import { addFilterInputs } from './inputs.ts';
import { addressScalar, bigIntScalar, cursorScalar, hexScalar, streamPositionScalar } from './scalars.ts';
import { addSubscriptions } from './subscriptions.ts';
import { addTokenQueries } from './tokenQueries.ts';

/**
 * Builds the gateway schema of a config: the static queries and subscriptions, one object type per
 * ABI event of every configured contract, and the types, queries and subscription of every
 * projection. Pure: resolvers reach Redis through the context.
 */
export function buildSchema(config: ResolvedConfig): GraphQLSchema {
  const builder = createBuilder();
  builder.addScalarType('BigInt', bigIntScalar);
  builder.addScalarType('Address', addressScalar);
  builder.addScalarType('Hex', hexScalar);
  builder.addScalarType('Cursor', cursorScalar);
  builder.addScalarType('StreamPosition', streamPositionScalar);
  builder.queryType({ description: 'State and history read from Redis.' });
  builder.subscriptionType({ description: 'Live events from Redis pub/sub, gapless with `after`.' });
  const catalog = createCatalog(config);
  const { chainEvent } = addEventTypes(builder, catalog);
  const { eventFilter } = addFilterInputs(builder);
  addChainQueries(builder);
  addTokenQueries(builder);
  addGatewayQuery(builder);
  addHistoryQuery(builder, { chainEvent, eventFilter });
  addSubscriptions(builder, { chainEvent, eventFilter });
  addProjections(builder, catalog);
  return builder.toSchema({ sortSchema: true });
}
