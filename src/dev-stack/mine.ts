import type { Hash } from 'viem';
import { blockHashes } from './blockHashes.ts';
import type { DevTestClient } from './devChain.ts';

/** Mines `blocks` empty blocks (one `hardhat_mine` call) and returns the hashes of the new blocks. */
export async function mine(client: DevTestClient, blocks = 1): Promise<Hash[]> {
  if (blocks <= 0) return [];
  const before = await client.getBlockNumber({ cacheTime: 0 });
  await client.mine({ blocks });
  return blockHashes(client, before + 1n, before + BigInt(blocks));
}
