import type { Hash, PublicClient, TransactionReceipt } from 'viem';

/**
 * The receipt of a transaction just sent to the dev chain: read at once, waited for only when the
 * node has not mined it yet (automine off or a remote node).
 */
export async function receiptOf(publicClient: PublicClient, hash: Hash): Promise<TransactionReceipt> {
  // With automine the receipt exists as soon as eth_sendTransaction returned.
  try {
    return await publicClient.getTransactionReceipt({ hash });
  } catch {
    return publicClient.waitForTransactionReceipt({ hash });
  }
}
