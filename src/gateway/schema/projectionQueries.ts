import { entityFields, parseEntityKeyString } from '../../domain/index.ts';
import type { GatewayContext } from '../context.ts';
import { type EntityNode, entityFieldValue } from '../readModel/entityRecord.ts';
import { type ProjectionRef, readModelOf } from '../readModel/index.ts';
import { badUserInput } from './badUserInput.ts';
import type { Builder } from './builder.ts';
import type { ProjectionSpec } from './describeProjections.ts';
import { decodeEntityListCursor, type EntityListPosition } from './entityListCursor.ts';
import { type EntityValueReader, listEntities } from './listEntities.ts';
import {
  childAddressArg,
  keyArgs,
  keyFromArgs,
  type ProjectionArgValue,
  requireProjectionContract,
  storedValue,
} from './projectionArgs.ts';
import type { ProjectionTypes } from './projectionTypes.ts';

// biome-ignore lint/suspicious/noExplicitAny: type refs built at runtime from the config
type AnyRef = any;

/** Page sizes a list query accepts (as `events` and `nftTokens`). */
const maxFirst = 500;

/** How a list reads each orderable field of a projection's entities, by field name. */
function valueReaders(spec: ProjectionSpec): Map<string, EntityValueReader> {
  const readers: EntityValueReader[] = [
    ...spec.keyFields.map((keyField, index) => ({
      ...keyField,
      read: (node: EntityNode) => parseEntityKeyString(node.key)[index],
    })),
    ...spec.fields.map((field) => ({
      ...field,
      read: (node: EntityNode) => entityFieldValue(node.record, field),
    })),
    {
      name: 'updatedAtBlock',
      type: 'BigInt' as const,
      read: (node: EntityNode) => node.record[entityFields.updatedAtBlock],
    },
  ];
  return new Map(readers.map((reader) => [reader.name, reader]));
}

/** The position of `after` in a list of `orderBy`/`order`; BAD_USER_INPUT when it is not one. */
function parseAfter(after: string, orderBy: string, order: 'ASC' | 'DESC'): EntityListPosition {
  const position = decodeEntityListCursor(after);
  if (!position)
    throw badUserInput('after', `must be the endCursor of a previous page. Got ${JSON.stringify(after)}.`);
  if (position.orderBy !== orderBy || position.order !== order)
    throw badUserInput(
      'after',
      `is the endCursor of a page ordered by ${position.orderBy} ${position.order}: pass the same orderBy and order (got ${orderBy} ${order}), or no after.`,
    );
  return position;
}

/** Loads every entity of a projection of one contract (its index, then the hashes, pipelined). */
async function loadEntities(ctx: GatewayContext, ref: ProjectionRef): Promise<EntityNode[]> {
  const reader = readModelOf(ctx.services);
  const keys = await reader.entityKeys(ref);
  const records = await reader.entities(ref, keys);
  const nodes: EntityNode[] = [];
  keys.forEach((key, index) => {
    const record = records[index];
    if (record) nodes.push({ key, record });
  });
  return nodes;
}

/**
 * Adds the queries of one projection: `C_P(chainId, <key fields>)`, one entity (null when it does not
 * exist), and `C_PList(chainId, where, orderBy, order, first, after)`, filtered, ordered and
 * paginated in memory over the projection's index.
 */
export function addProjectionQueries(
  builder: Builder,
  spec: ProjectionSpec,
  types: ProjectionTypes,
  orderDirection: AnyRef,
) {
  const { typeName } = spec;
  const readers = valueReaders(spec);
  const defaultOrder = spec.keyFields[0]!.name;

  builder.queryFields((t) => ({
    [typeName]: t.field({
      type: types.entity,
      nullable: true,
      description: `One ${typeName} entity by key; null when it does not exist or was deleted.`,
      args: {
        chainId: t.arg.int({ required: true }),
        ...childAddressArg(t, spec),
        ...keyArgs(t, spec, true),
      },
      resolve: async (_root: unknown, args: Record<string, unknown>, ctx: GatewayContext) => {
        const contract = await requireProjectionContract(ctx, spec, args.chainId as number, args);
        const key = keyFromArgs(spec, args, typeName, false)!;
        const record = await readModelOf(ctx.services).entity(
          { ...contract, projection: spec.projection },
          key,
        );
        return record ? { key, record } : null;
      },
    }),
    [`${typeName}List`]: t.field({
      type: types.page,
      description: `${typeName} entities matching \`where\`, ordered by \`orderBy\`, paginated with \`first\` and \`after\`.`,
      args: {
        chainId: t.arg.int({ required: true }),
        ...childAddressArg(t, spec),
        where: t.arg({ type: types.where as AnyRef, required: false }),
        orderBy: t.arg({ type: types.orderField as AnyRef, required: false, defaultValue: defaultOrder }),
        order: t.arg({ type: orderDirection, required: false, defaultValue: 'ASC' }),
        first: t.arg.int({ required: false, defaultValue: 50 }),
        after: t.arg.string({ required: false }),
      },
      resolve: async (_root: unknown, args: Record<string, unknown>, ctx: GatewayContext) => {
        const contract = await requireProjectionContract(ctx, spec, args.chainId as number, args);
        const first = (args.first as number | null) ?? 50;
        if (first < 1 || first > maxFirst)
          throw badUserInput('first', `must be between 1 and ${maxFirst}. Got ${first}.`);
        const orderBy = readers.get((args.orderBy as string | null) ?? defaultOrder)!;
        const order = (args.order as 'ASC' | 'DESC' | null) ?? 'ASC';
        const after = args.after == null ? undefined : parseAfter(args.after as string, orderBy.name, order);
        const where = Object.entries((args.where as Record<string, ProjectionArgValue | null> | null) ?? {})
          .filter((entry): entry is [string, ProjectionArgValue] => entry[1] != null)
          .map(([name, value]) => ({ field: readers.get(name)!, value: storedValue(value) }));
        return listEntities({
          entities: await loadEntities(ctx, { ...contract, projection: spec.projection }),
          where,
          orderBy,
          order,
          keyTypes: spec.keyFields.map((keyField) => keyField.type),
          first,
          after,
        });
      },
    }),
  }));
}
