import { RpcError } from '../../shared/errors/index.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { Rpc } from '../rpc/index.ts';
import type { BlockHeader } from '../rpc/types.ts';

/** The node's latest block; a node that answers none fails with a retriable RpcError. */
export async function latestBlock(rpc: Rpc): Promise<BlockHeader> {
  const head = await rpc.getBlock('latest');
  if (!head)
    throw new RpcError('The node returned no latest block', {
      code: rpcErrorCodes.transient,
      retriable: true,
    });
  return head;
}
