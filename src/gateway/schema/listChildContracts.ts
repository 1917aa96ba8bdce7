import { parseEntityKeyString } from '../../domain/index.ts';
import type { GatewayServices } from '../context.ts';
import { readModelOf } from '../readModel/index.ts';
import type { ContractSpec, TemplateSpec } from './describeContracts.ts';

/**
 * Every contract a template's factory created that is on the canonical chain now: the keys of the
 * factory's `<Template>Children` projection (one ZRANGE of its index), read on every call (a reorg
 * that removes a creation removes the child from the index).
 */
export async function listChildContracts(
  services: Pick<GatewayServices, 'redis' | 'keyPrefix' | 'catalog'>,
  template: TemplateSpec,
): Promise<ContractSpec[]> {
  const keys = await readModelOf(services).entityKeys({
    chainId: template.chainId,
    address: template.factory.address,
    projection: template.factory.projection,
  });
  return keys.map((key) => services.catalog.child(template, parseEntityKeyString(key)[0]!));
}
