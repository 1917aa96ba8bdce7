import type { ObjectRef } from '@pothos/core';
import { entityFields, parseEntityKeyString } from '../../domain/index.ts';
import { type EntityNode, entityFieldValue } from '../readModel/entityRecord.ts';
import type { EntityUpdateNode } from '../stream/entityStream.ts';
import type { Builder, BuilderTypes } from './builder.ts';
import type { ProjectionSpec } from './describeProjections.ts';
import type { EntityPage } from './listEntities.ts';
import { outputValue } from './projectionArgs.ts';

// Pothos types dynamic field types loosely; the values are checked by the scalars at runtime.
// biome-ignore lint/suspicious/noExplicitAny: type refs built at runtime from the config
type AnyRef = any;

type Types = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>;

/** The GraphQL types of one projection (the input and enum are shaped at runtime). */
export type ProjectionTypes = {
  entity: ObjectRef<Types, EntityNode>;
  page: ObjectRef<Types, EntityPage>;
  where: AnyRef;
  orderField: AnyRef;
  update: ObjectRef<Types, EntityUpdateNode>;
};

/** The value of key field `index` of an entity key string, as its GraphQL type resolves it. */
function keyValue(spec: ProjectionSpec, key: string, index: number) {
  return outputValue(spec.keyFields[index]!.type, parseEntityKeyString(key)[index]);
}

function entityDescription(spec: ProjectionSpec): string {
  if (spec.childrenOf !== undefined)
    return `A contract ${spec.contractName} created, followed as template ${spec.childrenOf}: where it was created. A creation a reorg removed is removed here too.`;
  if (spec.perChild)
    return `An entity of projection ${spec.projection} of template ${spec.contractName} (each contract its factory created has its own), as of the last event applied to it.`;
  return `An entity of projection ${spec.projection} of contract ${spec.contractName}, as of the last event applied to it.`;
}

/**
 * Adds the types of one projection `C_P`: the entity `C_P` (key fields, fields, `updatedAtBlock`,
 * `cursor`), its list page `C_PPage`, the equality filter `C_PWhere`, the `C_POrderField` enum and
 * the change `C_PUpdate` that `C_PUpdated` delivers.
 */
export function addProjectionTypes(builder: Builder, spec: ProjectionSpec): ProjectionTypes {
  const { typeName, keyFields, fields } = spec;
  const where = `${spec.contractName}.${spec.projection}`;
  // The entity and its update both carry the key string the key fields are read from.
  // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined object
  const keyFieldMap = (t: any): Record<string, AnyRef> =>
    Object.fromEntries(
      keyFields.map((keyField, index) => [
        keyField.name,
        t.field({
          type: keyField.type,
          description: `Key field of ${where}.`,
          resolve: (node: { key: string }) => keyValue(spec, node.key, index),
        }),
      ]),
    );

  const entity = builder.objectRef<EntityNode>(typeName).implement({
    description: entityDescription(spec),
    // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined object
    fields: (t: any): Record<string, AnyRef> => ({
      ...keyFieldMap(t),
      ...Object.fromEntries(
        fields.map((field) => [
          field.name,
          t.field({
            type: field.type,
            nullable: !field.additive,
            description: field.additive
              ? 'Changed by add/sub; 0 until an event changes it.'
              : 'Null until an event sets it.',
            resolve: (node: EntityNode) => outputValue(field.type, entityFieldValue(node.record, field)),
          }),
        ]),
      ),
      updatedAtBlock: t.field({
        type: 'BigInt',
        description: 'Block of the event that last changed the entity.',
        resolve: (node: EntityNode) => node.record[entityFields.updatedAtBlock] ?? '0',
      }),
      cursor: t.string({
        description: 'Journal cursor ("<block>-<logIndex>") of the event that last changed the entity.',
        resolve: (node: EntityNode) => node.record[entityFields.cursor] ?? '0-0',
      }),
    }),
  });

  const page = builder.objectRef<EntityPage>(`${typeName}Page`).implement({
    description: `A page of ${typeName} entities.`,
    fields: (t) => ({
      items: t.field({ type: [entity], resolve: (p) => p.items }),
      endCursor: t.string({
        nullable: true,
        description:
          'Pass as `after` (with the same orderBy and order) for the next page; null when the page is empty and no `after` was given.',
        resolve: (p) => p.endCursor,
      }),
      hasNextPage: t.exposeBoolean('hasNextPage'),
    }),
  });

  const whereInput = builder.inputType(`${typeName}Where`, {
    description: `Equality conditions on ${typeName} fields; every one given must hold (an additive field never written equals "0").`,
    // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined input
    fields: (t: any): Record<string, AnyRef> =>
      Object.fromEntries(
        [...keyFields, ...fields].map((field) => [
          field.name,
          t.field({ type: field.type, required: false }),
        ]),
      ),
  });

  const orderField = builder.enumType(`${typeName}OrderField`, {
    description: `What ${typeName}List orders by: integers numerically, booleans false first, addresses and hex by their lower-case text, strings by character codes; entities without a value come last in either order; ties by key.`,
    values: [
      ...keyFields.map((keyField) => keyField.name),
      ...fields.map((field) => field.name),
      'updatedAtBlock',
    ],
  });

  const update = builder.objectRef<EntityUpdateNode>(`${typeName}Update`).implement({
    description: `A change of a ${typeName} entity: the entity after it, or deleted. A reorg's reversal arrives the same way, with the REMOVED event's cursor.`,
    // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined object
    fields: (t: any): Record<string, AnyRef> => ({
      ...keyFieldMap(t),
      entity: t.field({
        type: entity,
        nullable: true,
        description: 'The entity after the change; null when it was deleted.',
        resolve: (node: EntityUpdateNode): EntityNode | null =>
          node.entity ? { key: node.key, record: node.entity } : null,
      }),
      deleted: t.boolean({
        description: 'True when the change deleted the entity.',
        resolve: (node: EntityUpdateNode) => node.entity === null,
      }),
      cursor: t.string({
        description:
          'Cursor of the event that made the change (of the REMOVED event for a reversal): pass as `after` to resume after it.',
        resolve: (node: EntityUpdateNode) => node.cursor,
      }),
    }),
  });

  return { entity, page, where: whereInput, orderField, update };
}
