import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './loadConfig.ts';

const abis = join(import.meta.dirname, '../../../examples/abis');
const factoryAddress = '0x5FbDB2315678afecb367f032d93F642f64180aa3';

function raw(template: Record<string, unknown> = {}, factory: Record<string, unknown> = {}) {
  return {
    chains: [
      {
        chainId: 31337,
        rpc: { http: 'http://127.0.0.1:8545' },
        contracts: [
          {
            name: 'Pair',
            abi: join(abis, 'Pair.json'),
            factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
            ...template,
          },
          { name: 'PairFactory', address: factoryAddress, abi: join(abis, 'PairFactory.json'), ...factory },
        ],
      },
    ],
    kafka: { brokers: ['127.0.0.1:9092'] },
    redis: { url: 'redis://127.0.0.1:6379' },
  };
}

const parse = (config: unknown) => parseConfig({ raw: config, baseDir: '.' });

describe('factory templates in the config', () => {
  it('resolves a template (declared before its factory) and gives the factory a children list', () => {
    const [chain] = parse(raw()).chains;
    expect(chain!.contracts.map((contract) => contract.name)).toEqual(['PairFactory']);
    const [template] = chain!.templates;
    expect(template).toMatchObject({
      name: 'Pair',
      abiKind: 'custom',
      factory: {
        contract: 'PairFactory',
        address: factoryAddress.toLowerCase(),
        event: 'PairCreated',
        path: 'args.pair',
        projection: 'PairChildren',
      },
    });
    expect(template!.factory.selector).toMatch(/^0x[0-9a-f]{64}$/);
    const list = chain!.contracts[0]!.projections.find((projection) => projection.name === 'PairChildren');
    expect(list?.keyFields).toEqual([{ name: 'pair', type: 'Address' }]);
    expect(list?.fields.map((field) => field.name)).toEqual(['createdAtBlock', 'createdInTx']);
    expect(chain!.factoryLogFilter).toEqual({ maxAddressesPerCall: 500, topicOnlyAbove: 5000 });
  });

  it('needs an address or a factory, never both', () => {
    expect(() => parse(raw({ factory: undefined }))).toThrow(
      'Validation failed: chains[0].contracts[0].address is required (or set factory)',
    );
    expect(() => parse(raw({ address: factoryAddress }))).toThrow(
      'Validation failed: chains[0].contracts[0].address must be left out of a factory template',
    );
  });

  it('names the factory, event or path that is wrong', () => {
    expect(() =>
      parse(raw({ factory: { contract: 'Nope', event: 'PairCreated', address: 'args.pair' } })),
    ).toThrow(
      'Validation failed: chains[0].contracts[0].factory.contract must name a contract of this chain that has an address. Got Nope.',
    );
    expect(() =>
      parse(raw({ factory: { contract: 'PairFactory', event: 'Created', address: 'args.pair' } })),
    ).toThrow(
      "Validation failed: chains[0].contracts[0].factory.event must name one event of PairFactory's ABI. Got Created.",
    );
    expect(() =>
      parse(raw({ factory: { contract: 'PairFactory', event: 'PairCreated', address: 'pair' } })),
    ).toThrow('chains[0].contracts[0].factory.address must be args.<name> (dots reach into tuples)');
    expect(() =>
      parse(raw({ factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.index' } })),
    ).toThrow(
      'Validation failed: the factory.address of template Pair must name an address argument of PairCreated; args.index is a BigInt.',
    );
    expect(() =>
      parse(raw({ factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.nope' } })),
    ).toThrow(/args\.nope/);
  });

  it('refuses a factory projection named like its children list', () => {
    const projection = {
      name: 'PairChildren',
      key: 'args.pair',
      on: { PairCreated: { set: { index: 'args.index' } } },
    };
    expect(() => parse(raw({}, { projections: [projection] }))).toThrow(
      'Validation failed: chains[0].contracts[1].projections has a projection named PairChildren, the name of the list of its Pair children; rename it.',
    );
  });
});
