import { StackError } from '../shared/errors/index.ts';

/** A host and TCP port. */
export type HostPort = { host: string; port: number };

/**
 * Parses `host:port`, `[ipv6]:port` or a URL such as `redis://:pw@host:6379/0` into host and port.
 * `defaultPort` is used when the input has none.
 */
export function parseHostPort(input: string, defaultPort?: number): HostPort {
  const trimmed = input.trim();
  let host: string;
  let portText: string | undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    const url = new URL(trimmed);
    host = url.hostname.replace(/^\[|\]$/g, '');
    portText = url.port || undefined;
  } else {
    const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(trimmed);
    if (!match) throw new StackError(`Invalid address "${input}": expected host:port`);
    host = (match[1] ?? match[2]) as string;
    portText = match[3];
  }
  const port = portText === undefined ? defaultPort : Number(portText);
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new StackError(`Invalid address "${input}": expected a port between 1 and 65535`);
  }
  return { host: host || '127.0.0.1', port };
}
