import type { Hash } from 'viem';
import type { DevTestClient } from './devChain.ts';

/** Hashes of the canonical blocks `from` … `to` (inclusive). */
export async function blockHashes(client: DevTestClient, from: bigint, to: bigint): Promise<Hash[]> {
  const numbers: bigint[] = [];
  for (let number = from; number <= to; number++) numbers.push(number);
  const blocks = await Promise.all(numbers.map((blockNumber) => client.getBlock({ blockNumber })));
  return blocks.map((block) => block.hash);
}
