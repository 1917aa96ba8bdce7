import type { GraphiQLOptions } from 'graphql-yoga';

/** Parameters of {@link renderGraphiQLPage}. */
export type RenderGraphiQLPageParameters = {
  /** What yoga passes to its GraphiQL renderer (title, defaultQuery, subscriptionsProtocol, …). */
  options: GraphiQLOptions;
  /** Path under which the gateway serves GraphiQL's bundled files, e.g. `/graphiql/5.24.1`. */
  assetsPath: string;
  /**
   * Identifies the default operations. When it differs from the one this browser last saw, GraphiQL's
   * stored tabs are dropped so that the page opens on the defaults (see the page script).
   */
  defaultsId: string;
};

/** JSON that is safe inside a `<script>` element: `<` never appears, so neither does `</script>`. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * The GraphiQL page: every script, style sheet, web worker and icon comes from `assetsPath` on the
 * gateway itself (bundled in `@graphql-yoga/render-graphiql`), so it works without internet and
 * sends nothing to another host.
 */
export function renderGraphiQLPage({
  options,
  assetsPath,
  defaultsId,
}: RenderGraphiQLPageParameters): string {
  const title = options.title || 'GraphiQL';
  const workers = {
    editorWorkerService: `${assetsPath}/editor.worker.js`,
    json: `${assetsPath}/json.worker.js`,
    graphql: `${assetsPath}/graphql.worker.js`,
  };
  // GraphiQL keeps its tabs under `graphiql:*` in localStorage and prefers them to `defaultQuery`.
  // Tabs left by another GraphiQL on this origin (or by older defaults) would hide our operations,
  // so they are cleared once whenever the defaults change; the user's own edits survive reloads.
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="${assetsPath}/favicon.ico" />
    <link rel="stylesheet" href="${assetsPath}/graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run GraphiQL.</noscript>
    <div id="root"></div>
    <script>
      (function () {
        var marker = 'blockwire:graphiql:defaults';
        var defaultsId = ${scriptJson(defaultsId)};
        try {
          if (localStorage.getItem(marker) !== defaultsId) {
            Object.keys(localStorage).forEach(function (key) {
              if (key.indexOf('graphiql:') === 0) localStorage.removeItem(key);
            });
            localStorage.setItem(marker, defaultsId);
          }
        } catch (error) {}
        var workers = ${scriptJson(workers)};
        self.MonacoEnvironment = {
          globalAPI: false,
          getWorkerUrl: function (moduleId, label) {
            return workers[label];
          },
        };
      })();
    </script>
    <script src="${assetsPath}/graphiql.js"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}
