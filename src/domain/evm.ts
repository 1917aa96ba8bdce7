import { keccak_256 } from '@noble/hashes/sha3';
import type { AbiEvent, AbiParameter } from 'viem';

/**
 * The few EVM helpers that every role needs (config, codec, gateway scalars), kept out of viem's
 * entry module: importing anything from `viem` loads all of it (hundreds of modules, the account and
 * curve libraries included), about 30 MB of memory in a gateway that never talks to a chain.
 * Equivalent to viem's functions of the same names (src/domain/evm.test.ts checks them against viem).
 */

/** The zero address. */
export const zeroAddress = '0x0000000000000000000000000000000000000000' as const;

const addressPattern = /^0x[a-fA-F0-9]{40}$/;
const encoder = new TextEncoder();

function keccakHex(text: string): string {
  return Buffer.from(keccak_256(encoder.encode(text))).toString('hex');
}

/** The EIP-55 checksummed form of a 20-byte hex address (which must match the address pattern). */
function checksummed(address: string): `0x${string}` {
  const lower = address.slice(2).toLowerCase();
  const hash = keccakHex(lower);
  let out = '0x';
  for (let i = 0; i < 40; i++)
    out += Number.parseInt(hash[i]!, 16) >= 8 ? lower[i]!.toUpperCase() : lower[i]!;
  return out as `0x${string}`;
}

/**
 * Whether `value` is a 20-byte hex address. With `strict` (the default), an address with any upper-case
 * digit must be the EIP-55 checksummed form; an all-lower-case one carries no checksum and passes.
 */
export function isAddress(value: string, options: { strict?: boolean } = {}): value is `0x${string}` {
  if (!addressPattern.test(value)) return false;
  if (options.strict === false) return true;
  if (value === value.toLowerCase()) return true;
  return checksummed(value) === value;
}

/** The EIP-55 checksummed form of `value` (whatever its case); throws when it is no address. */
export function getAddress(value: string): `0x${string}` {
  if (!isAddress(value, { strict: false })) throw new Error(`Address "${value}" is invalid.`);
  return checksummed(value);
}

/** The canonical type of an ABI parameter in a signature: tuples as their components in parentheses. */
function canonicalType(parameter: AbiParameter): string {
  if (!parameter.type.startsWith('tuple')) return parameter.type;
  const components = 'components' in parameter ? parameter.components : [];
  return `(${components.map(canonicalType).join(',')})${parameter.type.slice('tuple'.length)}`;
}

/** The canonical signature of an event, such as `Transfer(address,address,uint256)`. */
export function toEventSignature(event: AbiEvent): string {
  return `${event.name}(${event.inputs.map(canonicalType).join(',')})`;
}

/** The topic0 of an event: the keccak-256 of its canonical signature. */
export function toEventSelector(event: AbiEvent): `0x${string}` {
  return `0x${keccakHex(toEventSignature(event))}`;
}
