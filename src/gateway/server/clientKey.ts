import type { IncomingMessage } from 'node:http';
import type { Viewer } from '../context.ts';

/** Rate-limit key of a caller: the JWT subject when authenticated, else the remote address. */
export function clientKey(viewer: Viewer | undefined, request: IncomingMessage | undefined): string {
  if (viewer?.subject) return `sub:${viewer.subject}`;
  return `ip:${request?.socket.remoteAddress ?? 'unknown'}`;
}
