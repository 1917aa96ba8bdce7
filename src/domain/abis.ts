import type { Abi } from 'viem';
import { erc20Abi, erc721Abi, erc1155Abi } from './standardAbis.ts';

/** ABIs blockwire knows by name and projects into balances/owners. */
export type StandardAbiName = 'erc20' | 'erc721' | 'erc1155';

/** The standard ABI for a name. */
export function standardAbi(name: StandardAbiName): Abi {
  switch (name) {
    case 'erc20':
      return erc20Abi;
    case 'erc721':
      return erc721Abi;
    case 'erc1155':
      return erc1155Abi;
  }
}
