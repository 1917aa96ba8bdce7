import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

/** Faults the proxy injects; change them at any time through `faults`. */
export type ProxyFaults = {
  /** eth_getLogs over more blocks than this is refused ("exceeds max block range"). */
  maxRange?: number | undefined;
  /** eth_getLogs answers with more logs than this are refused ("query returned more than N results"). */
  maxResults?: number | undefined;
  /** eth_getLogs with more addresses than this is refused, as providers cap a filter's addresses. */
  maxAddresses?: number | undefined;
  /** Every n-th HTTP request gets a 429. */
  rateLimitEvery?: number | undefined;
  /** New WebSocket connections are refused while true. */
  refuseWebSockets?: boolean | undefined;
  /** Subscription notifications (`eth_subscription`) are dropped while true; the socket stays up. */
  muteNotifications?: boolean | undefined;
};

/** Counts of what the proxy did. */
export type ProxyStats = {
  requests: number;
  rateLimited: number;
  rangeRefused: number;
  resultsRefused: number;
  addressesRefused: number;
  /** Most addresses one eth_getLogs carried. */
  mostAddresses: number;
  /** eth_getLogs calls with no address (by topics only). */
  topicOnlyCalls: number;
  webSocketsCut: number;
  notificationsMuted: number;
};

/** A JSON-RPC proxy in front of a node, injecting faults. */
export type RpcProxy = {
  url: string;
  wsUrl: string;
  faults: ProxyFaults;
  stats: ProxyStats;
  /** Terminates every open WebSocket connection abruptly (as a network cut would). */
  cutWebSockets(): void;
  /**
   * Stops answering as a node that was stopped does: open connections are dropped and new ones are
   * refused (the port is closed) until {@link RpcProxy.up}.
   */
  down(): Promise<void>;
  /** Listens on the same port again (the node is back). */
  up(): Promise<void>;
  close(): Promise<void>;
};

type JsonRpcRequest = { id: unknown; method: string; params?: unknown[] };

const readBody = (request: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/** Starts a fault-injecting proxy for the HTTP and WebSocket JSON-RPC endpoint at `target`. */
export async function startRpcProxy(target: string, faults: ProxyFaults = {}): Promise<RpcProxy> {
  const stats: ProxyStats = {
    requests: 0,
    rateLimited: 0,
    rangeRefused: 0,
    resultsRefused: 0,
    addressesRefused: 0,
    mostAddresses: 0,
    topicOnlyCalls: 0,
    webSocketsCut: 0,
    notificationsMuted: 0,
  };
  const sockets = new Set<WebSocket>();

  const server: Server = createServer(async (request, response) => {
    const body = await readBody(request);
    stats.requests++;
    const reply = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (proxy.faults.rateLimitEvery && stats.requests % proxy.faults.rateLimitEvery === 0) {
      stats.rateLimited++;
      reply(429, { jsonrpc: '2.0', error: { code: -32029, message: 'Too Many Requests' } });
      return;
    }
    let parsed: JsonRpcRequest | undefined;
    try {
      parsed = JSON.parse(body) as JsonRpcRequest;
    } catch {
      parsed = undefined;
    }
    const filter =
      parsed?.method === 'eth_getLogs'
        ? (parsed.params?.[0] as { fromBlock?: string; toBlock?: string; address?: string | string[] })
        : undefined;
    if (filter) {
      const addresses = filter.address === undefined ? [] : [filter.address].flat();
      stats.mostAddresses = Math.max(stats.mostAddresses, addresses.length);
      if (addresses.length === 0) stats.topicOnlyCalls++;
      if (proxy.faults.maxAddresses !== undefined && addresses.length > proxy.faults.maxAddresses) {
        stats.addressesRefused++;
        reply(200, {
          jsonrpc: '2.0',
          id: parsed!.id,
          error: { code: -32602, message: `too many addresses in filter (max ${proxy.faults.maxAddresses})` },
        });
        return;
      }
    }
    if (filter?.fromBlock && filter.toBlock && proxy.faults.maxRange) {
      const range = Number(BigInt(filter.toBlock) - BigInt(filter.fromBlock)) + 1;
      if (range > proxy.faults.maxRange) {
        stats.rangeRefused++;
        reply(200, {
          jsonrpc: '2.0',
          id: parsed!.id,
          error: { code: -32602, message: `query exceeds max block range ${proxy.faults.maxRange}` },
        });
        return;
      }
    }
    try {
      const upstream = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await upstream.text();
      if (filter && proxy.faults.maxResults) {
        const result = (JSON.parse(text) as { result?: unknown[] }).result;
        if (Array.isArray(result) && result.length > proxy.faults.maxResults) {
          stats.resultsRefused++;
          reply(200, {
            jsonrpc: '2.0',
            id: parsed!.id,
            error: { code: -32005, message: `query returned more than ${proxy.faults.maxResults} results` },
          });
          return;
        }
      }
      reply(upstream.status, text);
    } catch {
      reply(502, 'bad gateway');
    }
  });

  // WebSocket messages are relayed between two sockets; a cut terminates both, like a network drop.
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (proxy.faults.refuseWebSockets) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (client) => {
      const upstream = new WebSocket(target.replace(/^http/, 'ws'));
      // Text frames must stay text frames: JSON-RPC servers drop binary ones.
      const queued: [RawData, boolean][] = [];
      upstream.on('open', () => {
        for (const [message, binary] of queued.splice(0)) upstream.send(message, { binary });
      });
      client.on('message', (data, binary) => {
        if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary });
        else queued.push([data, binary]);
      });
      upstream.on('message', (data, binary) => {
        if (proxy.faults.muteNotifications && data.toString().includes('"eth_subscription"')) {
          stats.notificationsMuted++;
          return;
        }
        if (client.readyState === WebSocket.OPEN) client.send(data, { binary });
      });
      const drop = () => {
        client.terminate();
        upstream.terminate();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('close', drop);
      upstream.on('close', drop);
      client.on('error', drop);
      upstream.on('error', drop);
      sockets.add(client);
      sockets.add(upstream);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    faults,
    stats,
    cutWebSockets() {
      stats.webSocketsCut += sockets.size / 2;
      for (const socket of [...sockets]) socket.terminate();
      sockets.clear();
    },
    async down() {
      for (const socket of [...sockets]) socket.terminate();
      sockets.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    async close() {
      for (const socket of [...sockets]) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
