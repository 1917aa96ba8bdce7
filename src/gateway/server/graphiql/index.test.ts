import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { graphiqlDefaultQuery } from '../../../dashboard/index.ts';
import { createGraphiQL } from './index.ts';

const origin = 'http://127.0.0.1:4000';

function createServer() {
  const graphiql = createGraphiQL();
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }),
    graphqlEndpoint: '/graphql',
    graphiql: { subscriptionsProtocol: 'WS', title: 'blockwire', defaultQuery: graphiqlDefaultQuery },
    renderGraphiQL: graphiql.render,
    plugins: [graphiql.plugin],
    logging: false,
  });
  return { graphiql, yoga };
}

async function openPage(yoga: ReturnType<typeof createServer>['yoga']): Promise<string> {
  const response = await yoga.fetch(`${origin}/graphql`, { headers: { accept: 'text/html' } });
  expect(response.status).toBe(200);
  return response.text();
}

describe('GraphiQL served by the gateway', () => {
  it('renders a page that names no other host: every file it loads is a path on the gateway', async () => {
    const { yoga } = createServer();
    const html = await openPage(yoga);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(?:^|[\s"'(=])\/\/[a-z0-9]/i);
    const references = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) expect(reference).toMatch(/^\/graphiql\//);
  });

  it('serves every script, style sheet, worker and icon the page names', async () => {
    const { yoga, graphiql } = createServer();
    const html = await openPage(yoga);
    const paths = new Set([
      ...[...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]!),
      ...[...html.matchAll(/"(\/graphiql\/[^"]+)"/g)].map((match) => match[1]!),
    ]);
    expect([...paths].sort()).toEqual(
      [
        'editor.worker.js',
        'favicon.ico',
        'graphiql.css',
        'graphiql.js',
        'graphql.worker.js',
        'json.worker.js',
      ]
        .map((name) => `${graphiql.assetsPath}/${name}`)
        .sort(),
    );
    for (const path of paths) {
      const response = await yoga.fetch(`${origin}${path}`);
      expect(response.status, path).toBe(200);
      const body = new Uint8Array(await response.arrayBuffer());
      expect(body.byteLength, path).toBeGreaterThan(1000);
      expect(response.headers.get('content-type'), path).toMatch(
        path.endsWith('.css') ? /^text\/css/ : path.endsWith('.js') ? /^text\/javascript/ : /^image\//,
      );
      // No file fetches GraphiQL's parts from a CDN at run time.
      if (!path.endsWith('.ico'))
        expect(new TextDecoder().decode(body), path).not.toMatch(/unpkg\.com|jsdelivr|esm\.sh|cdnjs/);
    }
    const missing = await yoga.fetch(`${origin}${graphiql.assetsPath}/nope.js`);
    expect(missing.status).toBe(404);
  });

  it('opens on our example operations, with subscriptions over graphql-ws', async () => {
    const { yoga } = createServer();
    const html = await openPage(yoga);
    const options = JSON.parse(
      (html.match(/renderYogaGraphiQL\([^,]+,\s*(\{.*\})\);/)?.[1] ?? '{}').replace(/\\u003c/g, '<'),
    ) as { defaultQuery?: string; subscriptionsProtocol?: string };
    expect(options.defaultQuery).toBe(graphiqlDefaultQuery);
    expect(options.subscriptionsProtocol).toBe('WS');
    // Stored tabs of another GraphiQL on the same origin are dropped once, so ours show.
    expect(html).toContain("key.indexOf('graphiql:') === 0");
  });
});
