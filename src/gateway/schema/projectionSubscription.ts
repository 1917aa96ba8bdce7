import { entityChannel, parseCursor, projectionKeys } from '../../domain/index.ts';
import type { GatewayContext } from '../context.ts';
import { createEntityStream, type EntityUpdateNode } from '../stream/entityStream.ts';
import { trackSubscription } from '../stream/trackSubscription.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import type { ProjectionSpec } from './describeProjections.ts';
import { childAddressArg, keyArgs, keyFromArgs, requireProjectionContract } from './projectionArgs.ts';
import type { ProjectionTypes } from './projectionTypes.ts';

/**
 * Adds `C_PUpdated(chainId, <key fields>, after)`: the changes of one entity (all key fields given)
 * or of every entity (none given), each with the cursor of the event that made it. With `after`,
 * the projection's journal is replayed after that cursor first, gapless and without duplicates.
 */
export function addProjectionSubscription(builder: Builder, spec: ProjectionSpec, types: ProjectionTypes) {
  const field = `${spec.typeName}Updated`;
  builder.subscriptionFields((t) => ({
    [field]: t.field({
      type: types.update,
      description: `Changes of ${spec.typeName} entities: of one entity when every key field is given, else of all. With \`after\` (the cursor of an update received earlier) the changes after it are replayed first, gapless and without duplicates; a reorg's reversal arrives as a change too.`,
      args: {
        chainId: t.arg.int({ required: true }),
        ...childAddressArg(t, spec),
        ...keyArgs(t, spec, false),
        after: t.arg.string({ required: false }),
      },
      subscribe: async (_root: unknown, args: Record<string, unknown>, ctx: GatewayContext) => {
        const chainId = args.chainId as number;
        const { address } = await requireProjectionContract(ctx, spec, chainId, args);
        const entityKey = keyFromArgs(spec, args, field, true);
        const after = (args.after as string | null | undefined) ?? undefined;
        if (after !== undefined && !parseCursor(after))
          throw badUserInput(
            'after',
            `must be the cursor of an update ("<blockNumber>-<logIndex>", e.g. "1204-3"). Got ${JSON.stringify(after)}.`,
          );
        const { keyPrefix, redis, hub, logger, config } = ctx.services;
        return trackSubscription(
          field,
          createEntityStream({
            redis,
            hub,
            logger,
            source: {
              chainId,
              address,
              projection: spec.projection,
              journalKey: projectionKeys(keyPrefix, chainId, address, spec.projection).journal,
            },
            channel: entityChannel(keyPrefix, chainId, address, spec.projection),
            entityKey,
            after,
            capacity: config.gateway.limits.subscriptionBuffer,
          }),
        );
      },
      resolve: (node: EntityUpdateNode) => node,
    }),
  }));
}
