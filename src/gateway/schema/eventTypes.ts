import type { JsonValue } from '../../domain/index.ts';
import type { EventNode } from '../stream/eventNode.ts';
import type { Builder } from './builder.ts';
import type { Catalog } from './catalog.ts';
import type { ArgField, ArgType } from './describeContracts.ts';

type Parent = Record<string, JsonValue> | JsonValue[];

function argValue(parent: Parent, field: ArgField): JsonValue | undefined {
  if (Array.isArray(parent)) return parent[field.index];
  return parent[field.source] ?? parent[String(field.index)];
}

// Pothos types dynamic field types loosely; the shapes are checked by the scalars at runtime.
// biome-ignore lint/suspicious/noExplicitAny: type refs built at runtime from ABIs
type AnyRef = any;

/**
 * Adds the `ChainEvent` interface, `EventStatus`, `UndecodedEvent` and one object type per ABI
 * event of every configured contract and factory template (`<Contract>_<Event>` with
 * `args: <Contract>_<Event>Args`; a factory's children take their template's types).
 * Event args are grouped under `args` so ABI names can never collide with the interface fields.
 */
export function addEventTypes(builder: Builder, catalog: Catalog) {
  const status = builder.enumType('EventStatus', {
    description: 'PENDING: not yet confirmed. CONFIRMED: final. REMOVED: retracted by a reorg.',
    values: ['PENDING', 'CONFIRMED', 'REMOVED'] as const,
  });

  const typeNameOf = (node: EventNode): string => {
    const { event } = node;
    if (!event.decoded) return 'UndecodedEvent';
    return catalog.eventType(event)?.typeName ?? 'UndecodedEvent';
  };

  const chainEvent = builder.interfaceRef<EventNode>('ChainEvent').implement({
    description: 'A contract log. Concrete types are generated per contract and ABI event.',
    resolveType: (node) => typeNameOf(node),
    fields: (t) => ({
      id: t.id({ description: '`<chainId>:<blockHash>:<logIndex>`', resolve: (n) => n.event.id }),
      cursor: t.field({
        type: 'Cursor',
        nullable: true,
        description: 'Position in the contract journal; null for PENDING events.',
        resolve: (n) => n.cursor,
      }),
      resumeToken: t.field({
        type: 'StreamPosition',
        nullable: true,
        description:
          'Subscriptions only: pass as `after` to resume after this event, gapless across all contracts of the subscription.',
        resolve: (n) => (n.resumeToken ? n.resumeToken() : null),
      }),
      status: t.field({ type: status, resolve: (n) => n.event.status }),
      chainId: t.int({ resolve: (n) => n.event.chainId }),
      blockNumber: t.field({ type: 'BigInt', resolve: (n) => n.event.blockNumber }),
      blockHash: t.field({ type: 'Hex', resolve: (n) => n.event.blockHash }),
      blockTimestamp: t.field({
        type: 'BigInt',
        description: 'Unix seconds.',
        resolve: (n) => n.event.blockTimestamp,
      }),
      transactionHash: t.field({ type: 'Hex', resolve: (n) => n.event.transactionHash }),
      transactionIndex: t.int({ resolve: (n) => n.event.transactionIndex }),
      logIndex: t.int({ resolve: (n) => n.event.logIndex }),
      address: t.field({ type: 'Address', resolve: (n) => n.event.address }),
      contractName: t.string({
        nullable: true,
        description:
          'Name of the contract in the gateway configuration; for a contract created by a factory, the name of its template.',
        resolve: ({ event }) =>
          (event.template === undefined
            ? catalog.contract(event.chainId, event.address)
            : catalog.template(event.chainId, event.template)
          )?.name ?? null,
      }),
      eventName: t.string({ nullable: true, resolve: (n) => n.event.eventName }),
      signature: t.string({ nullable: true, resolve: (n) => n.event.signature }),
    }),
  });

  builder.objectRef<EventNode>('UndecodedEvent').implement({
    description: 'A log of a tracked contract that did not match its ABI.',
    interfaces: [chainEvent],
    isTypeOf: (node) => typeNameOf(node as EventNode) === 'UndecodedEvent',
    fields: (t) => ({
      topics: t.field({ type: ['Hex'], resolve: (n) => n.event.topics }),
      data: t.field({ type: 'Hex', resolve: (n) => n.event.data }),
    }),
  });

  const tupleRefs = new Map<string, AnyRef>();
  const refOf = (type: ArgType): AnyRef => {
    if (type.kind === 'scalar') return type.name;
    if (type.kind === 'object') {
      const existing = tupleRefs.get(type.typeName);
      if (existing) return existing;
      const ref = builder.objectRef<Parent>(type.typeName);
      tupleRefs.set(type.typeName, ref);
      ref.implement({ fields: (t) => argFieldMap(t, type.fields) });
      return ref;
    }
    return undefined;
  };
  // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined object
  const fieldTypeOf = (t: any, type: ArgType): AnyRef => {
    if (type.kind !== 'list') return refOf(type);
    const inner = type.of;
    return t.listRef(inner.kind === 'list' ? fieldTypeOf(t, inner) : refOf(inner));
  };
  // biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined object
  const argFieldMap = (t: any, fields: ArgField[]) =>
    Object.fromEntries(
      fields.map((field) => [
        field.name,
        t.field({
          type: fieldTypeOf(t, field.type),
          description: `${field.solidityType}${field.indexed ? ' indexed' : ''}${
            field.indexed &&
            field.type.kind === 'scalar' &&
            field.type.name === 'Hex' &&
            field.solidityType !== 'bytes32'
              ? ' (keccak256 of the value: indexed dynamic values are hashed)'
              : ''
          }`,
          resolve: (parent: Parent) => argValue(parent, field),
        }),
      ]),
    );

  // A template's types are those of every contract its factory creates.
  for (const contract of [...catalog.contracts, ...catalog.templates]) {
    for (const event of contract.events) {
      if (tupleRefs.has(event.typeName)) continue; // shared by a contract name reused on another chain
      tupleRefs.set(event.typeName, true);
      const argsRef = event.argsTypeName ? builder.objectRef<Parent>(event.argsTypeName) : undefined;
      if (argsRef) argsRef.implement({ fields: (t) => argFieldMap(t, event.fields) });
      builder.objectRef<EventNode>(event.typeName).implement({
        description:
          'factory' in contract
            ? `${contract.name} event ${event.signature}, of every contract ${contract.factory.contract} creates`
            : `${contract.name} event ${event.signature}`,
        interfaces: [chainEvent],
        isTypeOf: (node) => typeNameOf(node as EventNode) === event.typeName,
        fields: (t): Record<string, AnyRef> =>
          argsRef ? { args: t.field({ type: argsRef, resolve: (n) => n.event.args as Parent }) } : {},
      });
    }
  }

  return { chainEvent, status };
}
