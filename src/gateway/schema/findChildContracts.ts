import { entityKeyString } from '../../domain/index.ts';
import type { GatewayServices } from '../context.ts';
import { readModelOf } from '../readModel/index.ts';
import type { ContractSpec } from './describeContracts.ts';

/** Parameters of {@link findChildContracts}. */
export type FindChildContractsParameters = {
  services: Pick<GatewayServices, 'redis' | 'keyPrefix' | 'catalog'>;
  /** The chains whose templates are asked. */
  chainIds: number[];
  /** Addresses (any case) that are not configured contracts. */
  addresses: string[];
};

/**
 * The contracts among `addresses` that a factory created: each is looked up in the children list of
 * every template of the chains (the factory's `<Template>Children` projection, keyed by the child's
 * address), one pipelined read per template. Read from Redis on every call, nothing cached: a
 * creation a reorg removed drops out of the list at once. Result: per address (lower-case), the
 * children found (one per chain and template that lists it; none when it is unknown).
 */
export async function findChildContracts({
  services,
  chainIds,
  addresses,
}: FindChildContractsParameters): Promise<Map<string, ContractSpec[]>> {
  const { catalog } = services;
  const lower = [...new Set(addresses.map((address) => address.toLowerCase()))];
  const found = new Map<string, ContractSpec[]>(lower.map((address) => [address, []]));
  if (lower.length === 0) return found;
  const reader = readModelOf(services);
  const keys = lower.map((address) => entityKeyString([address]));
  const templates = chainIds.flatMap((chainId) => catalog.templatesOfChain(chainId));
  const lists = await Promise.all(
    templates.map((template) =>
      reader.entities(
        {
          chainId: template.chainId,
          address: template.factory.address,
          projection: template.factory.projection,
        },
        keys,
      ),
    ),
  );
  templates.forEach((template, index) => {
    lists[index]?.forEach((record, at) => {
      const address = lower[at]!;
      if (record) found.get(address)!.push(catalog.child(template, address));
    });
  });
  return found;
}
