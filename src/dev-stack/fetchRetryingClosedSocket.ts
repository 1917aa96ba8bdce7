/** Whether a failed fetch is undici's "other side closed": the server closed the socket under it. */
function isClosedSocket(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return error instanceof TypeError && cause?.code === 'UND_ERR_SOCKET';
}

/**
 * `fetch` for the dev chain's clients that sends a request once more when the node closed its
 * keep-alive socket as the request went out. Hardhat closes idle sockets after 5 s; on a loaded
 * machine the client can pick such a socket at the moment it closes, and one lost `eth_blockNumber`
 * then failed a whole test run. The node had not read that request, so sending it again cannot
 * apply it twice; any other failure is returned as it is.
 */
export async function fetchRetryingClosedSocket(
  input: string | URL | Request,
  init?: RequestInit,
): Promise<Response> {
  try {
    return await fetch(input, init);
  } catch (error) {
    if (!isClosedSocket(error)) throw error;
    return await fetch(input, init);
  }
}
