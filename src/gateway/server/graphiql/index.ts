import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { GraphiQLOptions, Plugin } from 'graphql-yoga';
import { renderGraphiQLPage } from './renderGraphiQLPage.ts';

/** GraphiQL served from the gateway: yoga's `renderGraphiQL` and the plugin that serves its files. */
export type GraphiQL = {
  /** Renders the page (pass as yoga's `renderGraphiQL`). */
  render(options: GraphiQLOptions): string;
  /** Serves `GET <assetsPath>/<file>`: GraphiQL's script, style sheet, web workers and icon. */
  plugin: Plugin;
  /** Where the files are served, versioned so that browsers may cache them for good. */
  assetsPath: string;
};

type Asset = { body: Uint8Array<ArrayBuffer>; type: string };

const packageName = '@graphql-yoga/render-graphiql';

/** The bundled files, keyed by the name they are served under. */
async function loadAssets(): Promise<Map<string, Asset>> {
  // 9 MB of JavaScript: imported on the first GraphiQL request, never in a gateway that has none.
  const bundle = await import('@graphql-yoga/render-graphiql/graphiql');
  const script = 'text/javascript; charset=utf-8';
  const text = (body: string, type: string): Asset => ({ body: Buffer.from(body, 'utf8'), type });
  const favicon = /^data:([^;,]+);base64,(.*)$/s.exec(bundle.favicon);
  const assets = new Map<string, Asset>([
    ['graphiql.js', text(bundle.js, script)],
    ['graphiql.css', text(bundle.css, 'text/css; charset=utf-8')],
    ['editor.worker.js', text(bundle.editorWorkerService, script)],
    ['json.worker.js', text(bundle.jsonWorker, script)],
    ['graphql.worker.js', text(bundle.graphqlWorker, script)],
  ]);
  if (favicon) assets.set('favicon.ico', { body: Buffer.from(favicon[2]!, 'base64'), type: favicon[1]! });
  return assets;
}

/**
 * GraphiQL without a CDN: the page (see {@link renderGraphiQLPage}) loads GraphiQL 5 from
 * `/graphiql/<version>/` on the gateway, where the plugin serves the files bundled in
 * `@graphql-yoga/render-graphiql`. Nothing is requested from another host.
 */
export function createGraphiQL(): GraphiQL {
  const { version } = createRequire(import.meta.url)(`${packageName}/package.json`) as { version: string };
  const assetsPath = `/graphiql/${version}`;
  let assets: Promise<Map<string, Asset>> | undefined;
  let page: { key: string; html: string } | undefined;
  return {
    assetsPath,
    render(options) {
      const key = JSON.stringify(options);
      if (page?.key !== key) {
        const defaults = JSON.stringify([options.defaultQuery, options.defaultTabs, options.defaultHeaders]);
        const defaultsId = createHash('sha256').update(defaults).digest('hex').slice(0, 16);
        page = { key, html: renderGraphiQLPage({ options, assetsPath, defaultsId }) };
      }
      return page.html;
    },
    plugin: {
      async onRequest({ request, url, endResponse, fetchAPI }) {
        if (request.method !== 'GET' && request.method !== 'HEAD') return;
        if (!url.pathname.startsWith(`${assetsPath}/`)) return;
        assets ??= loadAssets();
        const asset = (await assets).get(url.pathname.slice(assetsPath.length + 1));
        if (!asset) return;
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : asset.body, {
            status: 200,
            headers: {
              'content-type': asset.type,
              'content-length': String(asset.body.byteLength),
              'cache-control': 'public, max-age=31536000, immutable',
              'x-content-type-options': 'nosniff',
            },
          }),
        );
      },
    },
  };
}
