import { entityKeyString } from '../../domain/index.ts';
import type { ProjectionFieldType } from '../../shared/config/index.ts';
import type { GatewayContext } from '../context.ts';
import type { ContractRef } from '../readModel/index.ts';
import { badUserInput } from './badUserInput.ts';
import type { ProjectionSpec, ProjectionTarget } from './describeProjections.ts';
import { findChildContracts } from './findChildContracts.ts';

// biome-ignore lint/suspicious/noExplicitAny: argument refs built at runtime from the config
type AnyRef = any;

/** The key field arguments of a projection field (`t` its field builder), all required or all optional. */
// biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined field
export function keyArgs(t: any, spec: ProjectionSpec, required: boolean): Record<string, AnyRef> {
  return Object.fromEntries(
    spec.keyFields.map((keyField) => [keyField.name, t.arg({ type: keyField.type, required })]),
  );
}

/** An argument value as the scalars parse it (canonical already, except booleans). */
export type ProjectionArgValue = string | boolean;

/** The stored (canonical) form of an argument value: scalars canonicalize, booleans become text. */
export function storedValue(value: ProjectionArgValue): string {
  return typeof value === 'boolean' ? String(value) : value;
}

/** The stored value of an entity field as its GraphQL type resolves it (`true`/`false` → boolean). */
export function outputValue(
  type: ProjectionFieldType,
  stored: string | undefined,
): ProjectionArgValue | null {
  if (stored === undefined) return null;
  if (type !== 'Boolean') return stored;
  return stored === 'true' ? true : stored === 'false' ? false : null;
}

/**
 * The contract a projection query reads on a chain; a chain where the contract (with this
 * projection) is not configured is a `BAD_USER_INPUT` naming `chainId` and the contract.
 */
export function requireProjectionTarget(spec: ProjectionSpec, chainId: number): ProjectionTarget {
  const target = spec.targets.get(chainId);
  if (target) return target;
  const chains = [...spec.targets.keys()].join(', ');
  throw badUserInput(
    'chainId',
    `must be a chain where contract ${spec.contractName} has the projection ${spec.projection} (${chains}). Got ${chainId}.`,
  );
}

/** The `address` argument of a template's projection field (`t` its field builder); none otherwise. */
// biome-ignore lint/suspicious/noExplicitAny: field builder of a runtime-defined field
export function childAddressArg(t: any, spec: ProjectionSpec): Record<string, AnyRef> {
  if (!spec.perChild) return {};
  return {
    address: t.arg({
      type: 'Address',
      required: true,
      description: `A contract the factory of template ${spec.contractName} created: whose entities to read.`,
    }),
  };
}

/**
 * The contract whose entities a projection field reads on `chainId`: the configured one, or for a
 * template's projection the `address` argument, which must be a contract its factory created (looked
 * up in Redis). A `BAD_USER_INPUT` naming `chainId` or `address` otherwise.
 */
export async function requireProjectionContract(
  ctx: GatewayContext,
  spec: ProjectionSpec,
  chainId: number,
  args: Record<string, unknown>,
): Promise<ContractRef & { address: `0x${string}` }> {
  const target = requireProjectionTarget(spec, chainId);
  if (target.address !== undefined) return { chainId, address: target.address };
  const address = String(args.address).toLowerCase();
  const found = await findChildContracts({
    services: ctx.services,
    chainIds: [chainId],
    addresses: [address],
  });
  const child = found.get(address)?.find((contract) => contract.template === spec.contractName);
  if (!child)
    throw badUserInput(
      'address',
      `must be a contract the factory of template ${spec.contractName} created on chain ${chainId}. Got ${address}.`,
    );
  return { chainId, address: child.address };
}

/**
 * The entity key string named by the key arguments of `field`: all of them given, or none
 * (undefined) when `optional`. Giving only some is a `BAD_USER_INPUT` naming a missing one.
 */
export function keyFromArgs(
  spec: ProjectionSpec,
  args: Record<string, unknown>,
  field: string,
  optional: boolean,
): string | undefined {
  const given = spec.keyFields.filter((keyField) => args[keyField.name] != null);
  if (given.length === 0 && optional) return undefined;
  const missing = spec.keyFields.find((keyField) => args[keyField.name] == null);
  if (missing) {
    const all = spec.keyFields.map((keyField) => keyField.name).join(', ');
    throw badUserInput(
      missing.name,
      `must be given: ${field} takes every key field (${all})${optional ? ' or none' : ''}. Got only ${given.map((keyField) => keyField.name).join(', ')}.`,
    );
  }
  return entityKeyString(
    spec.keyFields.map((keyField) => storedValue(args[keyField.name] as ProjectionArgValue)),
  );
}
