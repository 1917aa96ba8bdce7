import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../context.ts';

/**
 * Address of the caller: the first `X-Forwarded-For` entry when the gateway runs behind a trusted
 * proxy (`gateway.trustProxy`), else the socket's remote address. Without a trusted proxy the header
 * is ignored: any client could write it to get a fresh rate limit.
 */
export function clientAddress(request: IncomingMessage | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    const header = request?.headers['x-forwarded-for'];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return request?.socket.remoteAddress ?? 'unknown';
}

/** Rate-limit key of a caller: the JWT subject when authenticated, else the caller's address. */
export function clientKey(
  viewer: Viewer | undefined,
  request: IncomingMessage | undefined,
  trustProxy: boolean,
): string {
  if (viewer?.subject) return `sub:${viewer.subject}`;
  return `ip:${clientAddress(request, trustProxy)}`;
}
