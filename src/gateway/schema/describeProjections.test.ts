import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/index.ts';
import { describeContracts } from './describeContracts.ts';
import { describeProjections } from './describeProjections.ts';

type Projection = { name: string; key: string | string[]; on: Record<string, unknown> };

const listing: Projection = {
  name: 'Listing',
  key: 'args.tokenId',
  on: { Transfer: { set: { owner: 'args.to' }, add: { moves: 1 } } },
};

function describeFor(chains: Array<{ chainId: number; projections: Projection[]; abi?: string }>) {
  const config = parseConfig({
    raw: {
      chains: chains.map((chain, index) => ({
        chainId: chain.chainId,
        rpc: { http: 'http://127.0.0.1:8545' },
        contracts: [
          {
            name: 'Shop',
            address: `0x${String(index + 1).repeat(40)}`,
            abi: chain.abi ?? 'erc721',
            projections: chain.projections,
          },
        ],
      })),
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379' },
    },
    baseDir: '/',
  });
  return describeProjections(config, describeContracts(config));
}

describe('projection → GraphQL type descriptions', () => {
  it('describes key fields and fields, additive ones marked', () => {
    const [spec] = describeFor([{ chainId: 1, projections: [listing] }]);
    expect(spec).toMatchObject({
      typeName: 'Shop_Listing',
      contractName: 'Shop',
      projection: 'Listing',
      keyFields: [{ name: 'tokenId', type: 'BigInt' }],
      fields: [
        { name: 'owner', type: 'Address', additive: false },
        { name: 'moves', type: 'BigInt', additive: true },
      ],
    });
    expect([...spec!.targets.keys()]).toEqual([1]);
  });

  it('shares one set of types for a contract name on several chains, resolved by chain id', () => {
    const specs = describeFor([
      { chainId: 1, projections: [listing] },
      { chainId: 10, projections: [listing] },
    ]);
    expect(specs.map((spec) => spec.typeName)).toEqual(['Shop_Listing']);
    expect([...specs[0]!.targets.values()].map((target) => [target.chainId, target.address])).toEqual([
      [1, `0x${'1'.repeat(40)}`],
      [10, `0x${'2'.repeat(40)}`],
    ]);
  });

  it('suffixes the chain id when the same projection has other fields on another chain', () => {
    const other = { ...listing, on: { Transfer: { set: { owner: 'args.to' } } } };
    const specs = describeFor([
      { chainId: 1, projections: [listing] },
      { chainId: 10, projections: [other] },
    ]);
    expect(specs.map((spec) => spec.typeName)).toEqual(['Shop_1_Listing', 'Shop_10_Listing']);
  });

  it('refuses a projection whose types would collide with an event type or another projection', () => {
    expect(() => describeFor([{ chainId: 1, projections: [{ ...listing, name: 'Transfer' }] }])).toThrow(
      /projection Transfer of contract Shop makes the GraphQL type Shop_Transfer, which is already an event type of the same name/,
    );
    expect(() =>
      describeFor([{ chainId: 1, projections: [listing, { ...listing, name: 'ListingPage' }] }]),
    ).toThrow(/makes the GraphQL type Shop_ListingPage, which is already a type of projection Listing/);
  });

  it('refuses a field name that cannot be a value of the order enum', () => {
    const odd = { ...listing, on: { Transfer: { set: { null: 'args.to' } } } };
    expect(() => describeFor([{ chainId: 1, projections: [odd] }])).toThrow(
      // The config refuses it at load already (naming the field); the gateway refuses it too.
      /null is a field name GraphQL cannot order by|projection Listing of contract Shop has a field named null, which GraphQL cannot order by/,
    );
  });
});
