import * as viem from 'viem';
import { describe, expect, it } from 'vitest';
import { getAddress, isAddress, toEventSelector, toEventSignature, zeroAddress } from './evm.ts';
import { erc20Abi, erc721Abi, erc1155Abi } from './standardAbis.ts';

/** Deterministic pseudo-random hex digits. */
function hexDigits(seed: number, count: number): string {
  let state = seed;
  let out = '';
  for (let i = 0; i < count; i++) {
    state = (state * 48_271) % 2_147_483_647;
    out += (state % 16).toString(16);
  }
  return out;
}

/** Flips the case of some letters of a checksummed address, so its checksum breaks (when it has letters). */
function flipSome(address: string, seed: number): string {
  const chars = [...address];
  for (let i = 2; i < chars.length; i += 2 + (seed % 5)) {
    const c = chars[i]!;
    chars[i] = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
  }
  return chars.join('');
}

describe('evm helpers (the same answers as viem)', () => {
  const samples: string[] = [zeroAddress, `0x${'f'.repeat(40)}`, `0x${'F'.repeat(40)}`];
  for (let seed = 1; seed <= 300; seed++) {
    const lower = `0x${hexDigits(seed, 40)}`;
    const checksummed = viem.getAddress(lower);
    samples.push(lower, lower.toUpperCase().replace('0X', '0x'), checksummed, flipSome(checksummed, seed));
  }
  samples.push(
    '',
    '0x',
    `0x${'a'.repeat(39)}`,
    `0x${'a'.repeat(41)}`,
    `0X${'a'.repeat(40)}`,
    `${'a'.repeat(42)}`,
    `0x${'g'.repeat(40)}`,
    ` 0x${'a'.repeat(40)}`,
  );

  it('isAddress agrees with viem, strict and not', () => {
    for (const value of samples) {
      expect(isAddress(value), value).toBe(viem.isAddress(value));
      expect(isAddress(value, { strict: true }), value).toBe(viem.isAddress(value, { strict: true }));
      expect(isAddress(value, { strict: false }), value).toBe(viem.isAddress(value, { strict: false }));
    }
  });

  it('getAddress agrees with viem, and throws where viem throws', () => {
    for (const value of samples) {
      let expected: string | undefined;
      try {
        expected = viem.getAddress(value);
      } catch {}
      if (expected === undefined)
        expect(() => getAddress(value), value).toThrow(`Address "${value}" is invalid.`);
      else expect(getAddress(value), value).toBe(expected);
    }
  });

  it('event signatures and selectors agree with viem, tuples and arrays included', () => {
    const events = [...erc20Abi, ...erc721Abi, ...erc1155Abi].filter((item) => item.type === 'event');
    const custom = viem.parseAbi([
      'event Swap(address indexed sender, uint256 amount0In, uint256 amount1In, address indexed to)',
      'event Settled((uint256 id, address owner)[] orders, bytes32 root, (uint8 kind, (int24 tick, string note) inner) detail)',
      'event Matrix(uint256[2][] cells, bytes data, string[] names)',
      'event Empty()',
    ]);
    for (const event of [...events, ...custom] as viem.AbiEvent[]) {
      expect(toEventSignature(event)).toBe(viem.toEventSignature(event));
      expect(toEventSelector(event)).toBe(viem.toEventSelector(event));
    }
  });

  it('the standard ABIs are the same as viem’s', () => {
    expect(erc20Abi).toEqual(viem.erc20Abi);
    expect(erc721Abi).toEqual(viem.erc721Abi);
    expect(erc1155Abi).toEqual(viem.erc1155Abi);
    expect(zeroAddress).toBe(viem.zeroAddress);
  });
});
