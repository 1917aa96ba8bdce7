import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/index.ts';
import { createCatalog } from './catalog.ts';

const factory = '0xfa00000000000000000000000000000000000001';
const child = '0xa100000000000000000000000000000000000001';

function catalogOf(chains: Array<{ chainId: number; pairAbi: string }>) {
  return createCatalog(
    parseConfig({
      raw: {
        chains: chains.map(({ chainId, pairAbi }) => ({
          chainId,
          rpc: { http: 'http://127.0.0.1:8545' },
          contracts: [
            { name: 'PairFactory', address: factory, abi: './abis/PairFactory.json' },
            {
              name: 'Pair',
              abi: pairAbi,
              factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
            },
          ],
        })),
        kafka: { brokers: ['127.0.0.1:9092'] },
        redis: { url: 'redis://127.0.0.1:6379' },
      },
      baseDir: fileURLToPath(new URL('../../../examples/', import.meta.url)),
    }),
  );
}

const swap = { signature: 'Swap(address,uint256,uint256)', eventName: 'Swap' };

describe('catalog of factory templates', () => {
  it("types a child's events by its template, not by its address", () => {
    const catalog = catalogOf([{ chainId: 1, pairAbi: './abis/Pair.json' }]);
    expect(catalog.templates.map((template) => [template.name, template.factory])).toEqual([
      ['Pair', { contract: 'PairFactory', address: factory, projection: 'PairChildren' }],
    ]);
    expect(catalog.eventType({ chainId: 1, address: child, ...swap, template: 'Pair' })?.typeName).toBe(
      'Pair_Swap',
    );
    expect(catalog.eventType({ chainId: 1, address: child, ...swap })).toBeUndefined();
    expect(catalog.eventType({ chainId: 1, address: child, ...swap, template: 'Other' })).toBeUndefined();
    expect(
      catalog.child(catalog.template(1, 'Pair')!, child.toUpperCase().replace('0X', '0x')),
    ).toMatchObject({ chainId: 1, address: child, name: 'Pair', template: 'Pair', typeBase: 'Pair' });
  });

  it('lists the factory children projection, and suffixes template types whose ABI differs per chain', () => {
    const catalog = catalogOf([
      { chainId: 1, pairAbi: './abis/Pair.json' },
      { chainId: 2, pairAbi: 'erc20' },
    ]);
    expect(catalog.projections.map((spec) => [spec.typeName, spec.childrenOf, spec.perChild])).toEqual([
      ['PairFactory_PairChildren', 'Pair', false],
    ]);
    expect(
      catalog.eventType({
        chainId: 2,
        address: child,
        template: 'Pair',
        signature: null,
        eventName: 'Transfer',
      })?.typeName,
    ).toBe('Pair_2_Transfer');
    expect(catalog.eventType({ chainId: 1, address: child, template: 'Pair', ...swap })?.typeName).toBe(
      'Pair_1_Swap',
    );
  });
});
