import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../shared/config/index.ts';
import { describeContracts } from './describeContracts.ts';

const abi = [
  {
    type: 'event',
    name: 'Filled',
    inputs: [
      { name: 'id', type: 'bytes32', indexed: true },
      { name: 'tag', type: 'string', indexed: true },
      { name: '', type: 'uint8', indexed: false },
      {
        name: 'legs',
        type: 'tuple[2][]',
        indexed: false,
        components: [{ name: 'to', type: 'address' }],
      },
    ],
  },
  { type: 'event', name: 'Filled', inputs: [{ name: 'id', type: 'uint256', indexed: false }] },
  { type: 'event', name: 'Ping', inputs: [] },
];

function config(chains: Array<{ chainId: number; name: string; abi: string }>) {
  return parseConfig({
    raw: {
      chains: chains.map((chain, index) => ({
        chainId: chain.chainId,
        rpc: { http: 'http://127.0.0.1:8545' },
        contracts: [{ name: chain.name, address: `0x${String(index + 1).repeat(40)}`, abi: chain.abi }],
      })),
      kafka: { brokers: ['127.0.0.1:9092'] },
      redis: { url: 'redis://127.0.0.1:6379' },
    },
    baseDir: '/',
  });
}

describe('ABI → GraphQL type descriptions', () => {
  it('maps ABI types, hashes indexed dynamic values, names unnamed params and overloads', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const dir = mkdtempSync('/tmp/bw-abi-');
    writeFileSync(`${dir}/abi.json`, JSON.stringify(abi));
    const [contract] = describeContracts(config([{ chainId: 1, name: 'Vault', abi: `${dir}/abi.json` }]));
    const [filled, overload, ping] = contract!.events;
    expect(filled!.typeName).toBe('Vault_Filled');
    expect(overload!.typeName).toBe('Vault_Filled_2');
    expect(ping!.argsTypeName).toBeUndefined();
    expect(
      filled!.fields.map((field) => [
        field.name,
        field.type.kind === 'scalar' ? field.type.name : field.type.kind,
      ]),
    ).toEqual([
      ['id', 'Hex'],
      ['tag', 'Hex'],
      ['arg2', 'BigInt'],
      ['legs', 'list'],
    ]);
    const legs = filled!.fields[3]!.type;
    expect(legs).toMatchObject({
      kind: 'list',
      of: { kind: 'list', of: { kind: 'object', typeName: 'Vault_Filled_Legs' } },
    });
  });

  it('shares types of a contract name reused with the same ABI and suffixes the chain id otherwise', () => {
    const same = describeContracts(
      config([
        { chainId: 1, name: 'Token', abi: 'erc20' },
        { chainId: 10, name: 'Token', abi: 'erc20' },
      ]),
    );
    expect(same.map((contract) => contract.typeBase)).toEqual(['Token', 'Token']);
    const different = describeContracts(
      config([
        { chainId: 1, name: 'Token', abi: 'erc20' },
        { chainId: 10, name: 'Token', abi: 'erc721' },
      ]),
    );
    expect(different.map((contract) => contract.typeBase)).toEqual(['Token_1', 'Token_10']);
  });
});
