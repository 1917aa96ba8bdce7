import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Asks the OS for a TCP port that is free on `host` right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not obtain a free port'))));
    });
  });
}

/** Lowest port of the OS's range for outgoing connections' local ports (Linux; 32768 elsewhere). */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const value = Number(low);
    return Number.isInteger(value) && value > 2_048 ? value : 32_768;
  } catch {
    return 32_768;
  }
}

/** Resolves whether `port` can be listened on at `host` right now. */
function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the OS's ephemeral range: {@link freePort}'s ports come from that range, where
 * any outgoing connection may take one as its local port while the server meant for it is down (a
 * broker killed and started again). Falls back to {@link freePort} when none is found.
 */
export async function freeStablePort(host = '127.0.0.1'): Promise<number> {
  const high = ephemeralRangeStart() - 1;
  const low = Math.max(1_024, high - 12_000);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port, host)) return port;
  }
  return freePort(host);
}
