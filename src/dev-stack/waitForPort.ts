import { connect } from 'node:net';
import { type WaitForParameters, waitFor } from './waitFor.ts';

/** Resolves `true` when a TCP connection to `host:port` succeeds within `timeoutMs`. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until `host:port` accepts TCP connections. */
export function waitForPort(
  port: number,
  host = '127.0.0.1',
  parameters: Partial<WaitForParameters> = {},
): Promise<true> {
  return waitFor(() => isPortOpen(port, host), { description: `${host}:${port}`, ...parameters });
}
