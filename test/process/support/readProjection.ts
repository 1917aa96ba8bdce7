import type { Redis } from 'ioredis';
import { contractKeys, ownerTokensKey } from '../../../src/domain/index.ts';
import type { ContractSnapshot } from './referenceModel.ts';

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Parameters of {@link readProjection}. */
export type ReadProjectionParameters = {
  redis: Redis;
  keyPrefix: string;
  chainId: number;
  address: string;
  kind: 'erc20' | 'erc721' | 'erc1155' | 'custom';
};

/** Reads one contract's projection from Redis in the shape of the reference model. */
export async function readProjection({
  redis,
  keyPrefix,
  chainId,
  address,
  kind,
}: ReadProjectionParameters): Promise<ContractSnapshot> {
  const keys = contractKeys(keyPrefix, chainId, address);
  const [balances, tokenRaw, owners, multiBalances, counts] = await Promise.all([
    redis.hgetall(keys.balances),
    redis.hgetall(keys.token),
    redis.hgetall(keys.owners),
    redis.hgetall(keys.multiBalances),
    redis.hgetall(keys.counts),
  ]);
  const token: Record<string, string> = {};
  if (kind === 'erc20' || kind === 'erc721') {
    token.totalSupply = tokenRaw.totalSupply ?? '0';
    token.holders = tokenRaw.holders ?? '0';
  }
  if (tokenRaw.transfers && tokenRaw.transfers !== '0') token.transfers = tokenRaw.transfers;
  const tokensOf: Record<string, string[]> = {};
  const pattern = ownerTokensKey(keyPrefix, chainId, address, '*')
    .replace(/[[\]?{}]/g, '\\$&')
    .replace('\\*', '*');
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern.replace(/\\\*$/, '*'), 'COUNT', 1000);
    cursor = next;
    for (const key of found) {
      const members = await redis.zrange(key, 0, -1);
      if (members.length > 0) tokensOf[key.slice(key.lastIndexOf(':') + 1)] = members;
    }
  } while (cursor !== '0');
  return {
    balances: sortedRecord(balances),
    token,
    owners: sortedRecord(owners),
    tokensOf: Object.fromEntries(Object.entries(tokensOf).sort(([a], [b]) => (a < b ? -1 : 1))),
    multiBalances: sortedRecord(multiBalances),
    counts: sortedRecord(Object.fromEntries(Object.entries(counts).filter(([, value]) => value !== '0'))),
  };
}
