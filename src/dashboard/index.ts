import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';

export { graphiqlDefaultQuery } from './graphiqlDefaultQuery.ts';

/** Serves one dashboard request; returns false when the request is not for the dashboard. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

// The page talks to the gateway's own graphql-ws endpoint; `?endpoint=` may point it at another one.
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "connect-src 'self' ws: wss:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

type Asset = { body: Buffer; type: string };

/**
 * The live dashboard: `GET /` (HTML) and `GET /dashboard.js` (the committed browser bundle). The
 * files are read once, here. Any other request returns false so the caller can route it on.
 */
export function createDashboardHandler(): DashboardHandler {
  const html: Asset = {
    body: readFileSync(new URL('./dashboard.html', import.meta.url)),
    type: 'text/html; charset=utf-8',
  };
  const script: Asset = {
    body: readFileSync(new URL('./dist/dashboard.js', import.meta.url)),
    type: 'text/javascript; charset=utf-8',
  };
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const asset = path === '/' ? html : path === '/dashboard.js' ? script : undefined;
    if (!asset) return false;
    res.writeHead(200, {
      'content-type': asset.type,
      'content-length': asset.body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': contentSecurityPolicy,
    });
    res.end(req.method === 'HEAD' ? undefined : asset.body);
    return true;
  };
}
