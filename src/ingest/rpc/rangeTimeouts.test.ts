import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { rpcErrorCodes } from './classifyRpcError.ts';
import { createRpc } from './index.ts';

/** A JSON-RPC endpoint whose first `slow` eth_getLogs requests never answer; the rest answer []. */
async function startNode(slow: number): Promise<{ url: string; requests: () => number; server: Server }> {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (requests <= slow) return; // left hanging: the client's timeout ends it
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { id } = JSON.parse(body) as { id: number };
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ jsonrpc: '2.0', id, result: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, server };
}

describe('eth_getLogs timeouts', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const rpcFor = (url: string) =>
    createRpc({
      chainId: 1,
      httpUrl: url,
      logger: pino({ level: 'silent' }),
      signal: new AbortController().signal,
      timeoutMs: 250,
      retries: 4,
    });

  it('turns the timeout of a range of several blocks into a refusal at once, so the range shrinks', async () => {
    const node = await startNode(1);
    server = node.server;
    await expect(
      rpcFor(node.url).getLogsRange({ fromBlock: 5, toBlock: 6, addresses: [] }),
    ).rejects.toMatchObject({ code: rpcErrorCodes.rangeTooLarge });
    // Not retried: a retry would have reached the node by now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(node.requests()).toBe(1);
  });

  it('retries the timeout of a single block, which cannot shrink, until it answers', async () => {
    const node = await startNode(2);
    server = node.server;
    expect(await rpcFor(node.url).getLogsRange({ fromBlock: 5, toBlock: 5, addresses: [] })).toEqual([]);
    // Both hanging requests were retried (a loaded machine may time out the answer too: more, not fewer).
    expect(node.requests()).toBeGreaterThanOrEqual(3);
  });
});
