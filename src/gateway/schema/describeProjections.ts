import type { ProjectionFieldType, ResolvedConfig } from '../../shared/config/index.ts';
import { ConfigError } from '../../shared/errors/index.ts';
import type { ArgType, ContractSpec, TemplateSpec } from './describeContracts.ts';

/**
 * A configured contract that has a projection: where its entities are read on one chain. For a
 * template's projection `address` is undefined: each contract the factory created has its own
 * entities, and queries name the contract.
 */
export type ProjectionTarget = {
  chainId: number;
  address: `0x${string}` | undefined;
  /** The contract's name, or the template's. */
  contractName: string;
};

/** A projection field as the schema exposes it. */
export type ProjectionFieldSpec = { name: string; type: ProjectionFieldType; additive: boolean };

/**
 * The GraphQL shape of one projection: one set of types for a contract name, shared by every chain
 * where that contract has the projection with the same fields.
 */
export type ProjectionSpec = {
  /** `<Contract>_<Projection>`, or `<Contract>_<chainId>_<Projection>` when the shape differs per chain. */
  typeName: string;
  contractName: string;
  /** The projection's name in the config (part of its Redis keys). */
  projection: string;
  /** The fields making the key, in order (always at least one). */
  keyFields: { name: string; type: ProjectionFieldType }[];
  fields: ProjectionFieldSpec[];
  /** The contract per chain id. */
  targets: Map<number, ProjectionTarget>;
  /**
   * A template's projection: kept per contract the factory created, so its queries and subscription
   * take the contract's `address`.
   */
  perChild: boolean;
  /** Set for the list of a factory's children (`<Template>Children`): the template's name. */
  childrenOf: string | undefined;
};

/** Every GraphQL type name a projection adds (the entity, its page, filter, order and update types). */
export function projectionTypeNames(typeName: string): string[] {
  return [typeName, `${typeName}Page`, `${typeName}Where`, `${typeName}OrderField`, `${typeName}Update`];
}

function objectTypeNames(type: ArgType, into: Set<string>): void {
  if (type.kind === 'list') objectTypeNames(type.of, into);
  if (type.kind !== 'object') return;
  into.add(type.typeName);
  for (const field of type.fields) objectTypeNames(field.type, into);
}

/** The type names the contracts' and templates' events take (event, args and tuple types). */
function eventTypeNames(contracts: Pick<ContractSpec, 'events'>[]): Set<string> {
  const names = new Set<string>();
  for (const contract of contracts) {
    for (const event of contract.events) {
      names.add(event.typeName);
      if (event.argsTypeName) names.add(event.argsTypeName);
      for (const field of event.fields) objectTypeNames(field.type, names);
    }
  }
  return names;
}

/**
 * Describes the GraphQL types of every configured projection. A contract name configured on several
 * chains gets one set of types per projection, resolved by `chainId`, when the projection has the
 * same key and fields everywhere (else each chain's gets a `_<chainId>` suffix, like event types).
 * Throws a `ConfigError` when a projection's type names collide with an event's or another
 * projection's, or a field name cannot be an enum value.
 */
export function describeProjections(
  config: ResolvedConfig,
  contracts: ContractSpec[],
  templates: TemplateSpec[] = [],
): ProjectionSpec[] {
  const typeBaseOf = new Map([
    ...contracts.map((c) => [`${c.chainId}:${c.address.toLowerCase()}`, c.typeBase] as const),
    ...templates.map((t) => [`${t.chainId}:template:${t.name}`, t.typeBase] as const),
  ]);
  const entries = config.chains
    .flatMap((chain) => [
      ...chain.contracts.flatMap((contract) =>
        contract.projections.map((projection) => ({
          target: {
            chainId: chain.chainId,
            address: contract.address.toLowerCase() as `0x${string}`,
            contractName: contract.name,
          },
          typeBase: typeBaseOf.get(`${chain.chainId}:${contract.address.toLowerCase()}`) ?? contract.name,
          projection,
          perChild: false,
        })),
      ),
      ...chain.templates.flatMap((template) =>
        template.projections.map((projection) => ({
          target: { chainId: chain.chainId, address: undefined, contractName: template.name },
          typeBase: typeBaseOf.get(`${chain.chainId}:template:${template.name}`) ?? template.name,
          projection,
          perChild: true,
        })),
      ),
    ])
    .map(({ typeBase, ...entry }) => ({
      ...entry,
      typeName: `${typeBase}_${entry.projection.name}`,
      // A name that is a contract on one chain and a template on another has different queries there.
      shape: JSON.stringify([entry.projection.keyFields, entry.projection.fields, entry.perChild]),
    }));
  const shapes = new Map<string, Set<string>>();
  for (const entry of entries)
    shapes.set(entry.typeName, (shapes.get(entry.typeName) ?? new Set()).add(entry.shape));

  const specs = new Map<string, ProjectionSpec>();
  for (const { target, typeName: shared, projection, perChild } of entries) {
    const typeName =
      (shapes.get(shared)?.size ?? 1) > 1
        ? `${target.contractName}_${target.chainId}_${projection.name}`
        : shared;
    let spec = specs.get(typeName);
    if (!spec) {
      spec = {
        typeName,
        contractName: target.contractName,
        projection: projection.name,
        keyFields: projection.keyFields,
        fields: projection.fields,
        targets: new Map(),
        perChild,
        childrenOf: templates.find(
          (template) =>
            template.chainId === target.chainId &&
            template.factory.contract === target.contractName &&
            template.factory.projection === projection.name,
        )?.name,
      };
      specs.set(typeName, spec);
    }
    spec.targets.set(target.chainId, target);
  }
  checkTypeNames([...specs.values()], eventTypeNames([...contracts, ...templates]));
  return [...specs.values()];
}

// Names GraphQL does not allow as enum values (`C_POrderField` lists the field names).
const notEnumValues = new Set(['true', 'false', 'null']);

function checkTypeNames(specs: ProjectionSpec[], taken: Set<string>): void {
  const owners = new Map<string, string>();
  for (const spec of specs) {
    const field = [...spec.keyFields, ...spec.fields].find(({ name }) => notEnumValues.has(name));
    if (field)
      throw new ConfigError(
        `Validation failed: projection ${spec.projection} of contract ${spec.contractName} has a field named ${field.name}, which GraphQL cannot order by (true, false and null are not enum values). Rename the field.`,
      );
    for (const name of projectionTypeNames(spec.typeName)) {
      const owner = taken.has(name) ? 'an event type of the same name' : owners.get(name);
      if (owner)
        throw new ConfigError(
          `Validation failed: projection ${spec.projection} of contract ${spec.contractName} makes the GraphQL type ${name}, which is already ${owner}. Rename the projection.`,
        );
      owners.set(name, `a type of projection ${spec.projection}`);
    }
  }
}
