import type { Address } from 'viem';
import { eventId } from '../../../src/domain/index.ts';
import type { TestChain } from '../../support/chain.ts';

/** Ids of the canonical logs of `addresses` from `fromBlock` to `toBlock`, in chain order, per address. */
export async function canonicalEventIds(
  chain: TestChain,
  addresses: Address[],
  fromBlock: bigint,
  toBlock: bigint,
): Promise<Map<string, string[]>> {
  const logs = await chain.publicClient.getLogs({ address: addresses, fromBlock, toBlock });
  const byAddress = new Map<string, string[]>(addresses.map((address) => [address.toLowerCase(), []]));
  for (const log of logs) {
    byAddress
      .get(log.address.toLowerCase())!
      .push(eventId({ chainId: chain.chainId, blockHash: log.blockHash!, logIndex: log.logIndex! }));
  }
  return byAddress;
}

/** Groups delivered events by contract address, keeping delivery order. */
export function groupByAddress(events: { id: string; address: string }[]): Map<string, string[]> {
  const byAddress = new Map<string, string[]>();
  for (const event of events) {
    const key = event.address.toLowerCase();
    byAddress.set(key, [...(byAddress.get(key) ?? []), event.id]);
  }
  return byAddress;
}
