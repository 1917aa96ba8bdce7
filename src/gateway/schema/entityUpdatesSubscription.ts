import { entityChannel, entityFields } from '../../domain/index.ts';
import type { HubMessage } from '../pubsub/channelHub.ts';
import { createChannelStream } from '../stream/channelStream.ts';
import { entityItemOfMessage } from '../stream/entityItem.ts';
import { sourceKey } from '../stream/streamPositions.ts';
import { trackSubscription } from '../stream/trackSubscription.ts';
import type { Builder } from './builder.ts';
import type { ProjectionTarget } from './describeProjections.ts';
import { requireChain } from './requireChain.ts';

/** A change of an entity of any projection. */
type EntityFeedItem = {
  target: ConfiguredTarget;
  projection: string;
  key: string;
  entity: Readonly<Record<string, string>> | null;
  cursor: string;
};

/** Where an entity channel's messages come from. */
type ChannelSource = { target: ConfiguredTarget; projection: string; source: string };

/** The target of a configured contract's projection (with its address). */
type ConfiguredTarget = ProjectionTarget & { address: `0x${string}` };

/**
 * Adds `entityUpdates(chainId)`: the changes of the entities of every projection (of one chain or
 * all), untyped and live only, for feeds that follow everything such as the dashboard. Typed
 * entities and gapless resume are in `<Contract>_<Projection>Updated`.
 */
export function addEntityUpdatesSubscription(builder: Builder) {
  const update = builder.objectRef<EntityFeedItem>('EntityUpdate').implement({
    description:
      'A change of an entity of any projection: which one, and whether it was deleted. `<Contract>_<Projection>Updated` delivers the entity itself.',
    fields: (t) => ({
      chainId: t.int({ resolve: (u) => u.target.chainId }),
      contract: t.field({ type: 'Address', resolve: (u) => u.target.address }),
      contractName: t.string({ resolve: (u) => u.target.contractName }),
      projection: t.string({ resolve: (u) => u.projection }),
      key: t.string({
        description: "The entity's key values, each URI-encoded, joined with `:`.",
        resolve: (u) => u.key,
      }),
      deleted: t.boolean({ resolve: (u) => u.entity === null }),
      updatedAtBlock: t.field({
        type: 'BigInt',
        nullable: true,
        description: 'Block of the event that last changed the entity; null when it was deleted.',
        resolve: (u) => u.entity?.[entityFields.updatedAtBlock] ?? null,
      }),
      cursor: t.string({
        description: 'Cursor of the event that made the change (of the REMOVED event, for a reversal).',
        resolve: (u) => u.cursor,
      }),
    }),
  });

  builder.subscriptionField('entityUpdates', (t) =>
    t.field({
      type: update,
      description:
        'Live changes of the entities of every projection of one chain, or of every configured chain. No replay: use `<Contract>_<Projection>Updated` with `after` to resume gaplessly.',
      args: { chainId: t.arg.int({ required: false }) },
      subscribe: (_root, { chainId }, ctx) => {
        if (chainId != null) requireChain(ctx, chainId);
        const { catalog, keyPrefix, hub, config } = ctx.services;
        const sources = new Map<string, ChannelSource>();
        // A template's projections are per contract its factory created: not in this feed.
        for (const spec of catalog.projections) {
          for (const { address, ...rest } of spec.targets.values()) {
            if (address === undefined || (chainId != null && rest.chainId !== chainId)) continue;
            const target = { ...rest, address };
            sources.set(entityChannel(keyPrefix, target.chainId, target.address, spec.projection), {
              target,
              projection: spec.projection,
              source: sourceKey({ ...target, journalKey: '', projection: spec.projection }),
            });
          }
        }
        return trackSubscription(
          'entityUpdates',
          createChannelStream<EntityFeedItem>({
            hub,
            channels: [...sources.keys()],
            capacity: config.gateway.limits.subscriptionBuffer,
            map: (message: HubMessage) => {
              const from = sources.get(message.channel);
              const item = from && entityItemOfMessage(message, from.source, from.projection);
              if (!from || !item) return undefined;
              const { target, projection } = from;
              return { target, projection, key: item.entityKey, entity: item.entity, cursor: item.cursor! };
            },
          }),
        );
      },
      resolve: (item: EntityFeedItem) => item,
    }),
  );
}
