import type { Address } from 'viem';
import { contractKeys } from '../../../src/domain/index.ts';
import type { RedisClient } from '../../../src/shared/redis.ts';
import type { DemoContracts, TestChain } from '../../support/chain.ts';

/** Parameters of {@link diffChainState}. */
export type DiffChainStateParameters = {
  chain: TestChain;
  contracts: DemoContracts;
  redis: RedisClient;
  keyPrefix: string;
  holders: Address[];
  erc1155Ids: bigint[];
};

/**
 * Compares the Redis projection with the contracts' own view (`balanceOf`, `ownerOf`,
 * `totalSupply`) at the latest block and lists every difference; empty means identical.
 */
export async function diffChainState(parameters: DiffChainStateParameters): Promise<string[]> {
  const { chain, contracts, redis, keyPrefix, holders, erc1155Ids } = parameters;
  const { publicClient, chainId } = chain;
  const problems: string[] = [];
  const expectEqual = (what: string, actual: string | null | undefined, expected: string | null) => {
    if ((actual ?? null) !== expected)
      problems.push(`${what}: redis ${actual ?? 'none'}, chain ${expected ?? 'none'}`);
  };
  const block = await publicClient.getBlockNumber({ cacheTime: 0 });

  // ERC-20: every holder's balance, totalSupply and the holder count.
  const erc20 = contractKeys(keyPrefix, chainId, contracts.erc20.address);
  const erc20Balances = await redis.hgetall(erc20.balances);
  let erc20Holders = 0;
  for (const holder of holders) {
    const balance = await publicClient.readContract({
      ...contracts.erc20,
      functionName: 'balanceOf',
      args: [holder],
      blockNumber: block,
    });
    if (balance > 0n) erc20Holders++;
    expectEqual(
      `ERC-20 balance of ${holder}`,
      erc20Balances[holder.toLowerCase()],
      balance > 0n ? balance.toString() : null,
    );
  }
  const unknown = Object.keys(erc20Balances).filter(
    (holder) => !holders.some((h) => h.toLowerCase() === holder),
  );
  if (unknown.length > 0) problems.push(`ERC-20 balances of unknown holders ${unknown.join(', ')}`);
  const supply = await publicClient.readContract({
    ...contracts.erc20,
    functionName: 'totalSupply',
    blockNumber: block,
  });
  expectEqual('ERC-20 totalSupply', await redis.hget(erc20.token, 'totalSupply'), supply.toString());
  expectEqual('ERC-20 holders', await redis.hget(erc20.token, 'holders'), String(erc20Holders));

  // ERC-721: the owner of every token ever minted, and each owner's balance.
  const erc721 = contractKeys(keyPrefix, chainId, contracts.erc721.address);
  const nextTokenId = await publicClient.readContract({
    ...contracts.erc721,
    functionName: 'nextTokenId',
    blockNumber: block,
  });
  const owners = await redis.hgetall(erc721.owners);
  for (let tokenId = 1n; tokenId < nextTokenId; tokenId++) {
    const owner = await publicClient
      .readContract({ ...contracts.erc721, functionName: 'ownerOf', args: [tokenId], blockNumber: block })
      .catch(() => null);
    expectEqual(`ERC-721 owner of ${tokenId}`, owners[tokenId.toString()], owner?.toLowerCase() ?? null);
  }
  const nftBalances = await redis.hgetall(erc721.balances);
  for (const holder of holders) {
    const balance = await publicClient.readContract({
      ...contracts.erc721,
      functionName: 'balanceOf',
      args: [holder],
      blockNumber: block,
    });
    expectEqual(
      `ERC-721 balance of ${holder}`,
      nftBalances[holder.toLowerCase()],
      balance > 0n ? balance.toString() : null,
    );
  }

  // ERC-1155: every (id, holder) balance.
  const erc1155 = contractKeys(keyPrefix, chainId, contracts.erc1155.address);
  const multi = await redis.hgetall(erc1155.multiBalances);
  for (const id of erc1155Ids) {
    for (const holder of holders) {
      const balance = await publicClient.readContract({
        ...contracts.erc1155,
        functionName: 'balanceOf',
        args: [holder, id],
        blockNumber: block,
      });
      expectEqual(
        `ERC-1155 balance of ${holder} id ${id}`,
        multi[`${id}:${holder.toLowerCase()}`],
        balance > 0n ? balance.toString() : null,
      );
    }
  }
  return problems;
}
