import type { Hash } from 'viem';
import type { DevTestClient } from './devChain.ts';

/** A point the chain can be rewound to, from {@link takeChainSnapshot}. Usable once. */
export type ChainSnapshot = { id: Hash; blockNumber: bigint; blockHash: Hash };

/** Takes an `evm_snapshot` of the current head. */
export async function takeChainSnapshot(client: DevTestClient): Promise<ChainSnapshot> {
  const block = await client.getBlock({ blockTag: 'latest' });
  const id = await client.snapshot();
  return { id, blockNumber: block.number, blockHash: block.hash };
}
