import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRpc, headerBatchSize } from './index.ts';

type JsonRpcRequest = { id: number; method: string; params: [string, boolean] };

/** A JSON-RPC node that knows blocks 0..999 and counts the HTTP requests it gets (batches apart). */
async function startNode({ batches }: { batches: boolean }) {
  const seen = { requests: 0, batches: 0 };
  const block = (request: JsonRpcRequest) => {
    const number = Number.parseInt(request.params[0], 16);
    const result =
      number < 1000
        ? {
            number: request.params[0],
            hash: `0x${number.toString(16).padStart(64, '0')}`,
            parentHash: `0x${Math.max(0, number - 1)
              .toString(16)
              .padStart(64, '0')}`,
            timestamp: `0x${(1_700_000_000 + number).toString(16)}`,
          }
        : null;
    return { jsonrpc: '2.0', id: request.id, result };
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as JsonRpcRequest | JsonRpcRequest[];
      response.writeHead(200, { 'content-type': 'application/json' });
      if (!Array.isArray(body)) return response.end(JSON.stringify(block(body)));
      seen.batches++;
      if (!batches)
        return response.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: { code: -32600, message: 'batch requests are not supported' },
          }),
        );
      response.end(JSON.stringify(body.map(block)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const logger = pino({ level: 'silent' });
const numbers = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);
let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
});

describe('Rpc.getBlocks', () => {
  it('asks for many headers in JSON-RPC batches', async () => {
    const node = await startNode({ batches: true });
    close = node.close;
    const rpc = createRpc({ chainId: 1, httpUrl: node.url, logger, signal: new AbortController().signal });
    const headers = await rpc.getBlocks(numbers(100, 120));
    expect([...headers.keys()].sort((a, b) => a - b)).toEqual(numbers(100, 120));
    expect(headers.get(150)).toMatchObject({ number: 150, timestamp: 1_700_000_150 });
    expect(node.seen.requests).toBe(Math.ceil(120 / headerBatchSize));
  });

  it('leaves out blocks the node does not know', async () => {
    const node = await startNode({ batches: true });
    close = node.close;
    const rpc = createRpc({ chainId: 1, httpUrl: node.url, logger, signal: new AbortController().signal });
    const headers = await rpc.getBlocks([998, 999, 1000, 1001]);
    expect([...headers.keys()].sort((a, b) => a - b)).toEqual([998, 999]);
  });

  it('falls back to single calls when the node refuses batches, and stops trying them', async () => {
    const node = await startNode({ batches: false });
    close = node.close;
    const rpc = createRpc({ chainId: 1, httpUrl: node.url, logger, signal: new AbortController().signal });
    for (let round = 0; round < 5; round++) {
      const headers = await rpc.getBlocks(numbers(10 * round, 10));
      expect([...headers.keys()].sort((a, b) => a - b)).toEqual(numbers(10 * round, 10));
    }
    expect(node.seen.batches).toBe(3);
  });
});
