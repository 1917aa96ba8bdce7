import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler, graphiqlDefaultQuery } from './index.ts';

describe('createDashboardHandler', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const dashboard = createDashboardHandler();
    server = createServer((req, res) => {
      if (dashboard(req, res)) return;
      res.writeHead(404);
      res.end('passed on');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the page at / and it loads the bundle', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script src="/dashboard.js"></script>');
    for (const id of ['chains', 'feed', 'rate-chart', 'active-subscribers', 'reorgs'])
      expect(html).toContain(`id="${id}"`);
  });

  it('serves the bundle at /dashboard.js', async () => {
    const response = await fetch(`${base}/dashboard.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await response.text()).toContain('graphql-transport-ws');
  });

  it('passes every other request on', async () => {
    for (const path of ['/graphql', '/dashboard.js.map', '/index.html', '/metrics']) {
      const response = await fetch(`${base}${path}`);
      expect(await response.text(), path).toBe('passed on');
    }
    const post = await fetch(`${base}/`, { method: 'POST', body: '{}' });
    expect(await post.text()).toBe('passed on');
  });
});

describe('graphiqlDefaultQuery', () => {
  it('holds one subscription and one query', () => {
    expect(graphiqlDefaultQuery).toMatch(/^subscription \w+ \{/m);
    expect(graphiqlDefaultQuery).toMatch(/^query \w+ \{/m);
  });
});
