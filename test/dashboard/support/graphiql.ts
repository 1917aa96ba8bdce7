import type { BrowserContext, Page } from 'playwright-core';

/** Requests the browser attempted to hosts other than the gateway's machine (all of them refused). */
export type OutsideRequests = { urls: string[] };

const localHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Refuses, and records, every request of `context` that would leave the machine: what a user without
 * internet gets. `data:` and `blob:` URLs never reach the network and pass; WebSockets are recorded
 * by the page's `websocket` event (routes do not see them).
 */
export async function blockOutsideRequests(context: BrowserContext): Promise<OutsideRequests> {
  const outside: OutsideRequests = { urls: [] };
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || localHosts.has(url.hostname))
      return route.continue();
    outside.urls.push(url.href);
    return route.abort('internetdisconnected');
  });
  context.on('page', (page) =>
    page.on('websocket', (socket) => {
      if (!localHosts.has(new URL(socket.url()).hostname)) outside.urls.push(socket.url());
    }),
  );
  return outside;
}

/** The text of a GraphiQL (Monaco) editor, spaces normalised (Monaco renders them as U+00A0). */
async function editorText(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (css) => (document.querySelector(css)?.textContent ?? '').replace(/\u00a0/g, ' '),
    selector,
  );
}

/** The query editor's text (the lines Monaco has rendered). */
export function queryEditorText(page: Page): Promise<string> {
  return editorText(page, '.graphiql-query-editor');
}

/** The result pane's text. */
export function resultText(page: Page): Promise<string> {
  return editorText(page, '.graphiql-response, .result-window');
}

/** Waits until GraphiQL has rendered its query editor with text containing `expected`. */
export async function waitForQueryEditor(page: Page, expected: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    (text) =>
      (document.querySelector('.graphiql-query-editor')?.textContent ?? '')
        .replace(/\u00a0/g, ' ')
        .includes(text),
    expected,
    { timeout: timeoutMs, polling: 200 },
  );
}

/**
 * Runs the operation `name` the way a user does: press ▶, and when the document holds several
 * operations, pick it from the menu GraphiQL opens.
 */
export async function runOperation(page: Page, name: string): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
  const item = page.getByRole('menuitem', { name, exact: true });
  const menu = await item.waitFor({ state: 'visible', timeout: 5_000 }).then(
    () => true,
    () => false,
  );
  if (menu) await item.click();
}

/** Stops a running subscription (the ▶ button shows ■ while one runs). */
export async function stopOperation(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button[aria-label^="Stop"]').click();
  await page.locator('.graphiql-execute-button[aria-label^="Execute"]').waitFor({ timeout: 10_000 });
}

/** What the result pane showed while a subscription ran: distinct ids of `field` payloads, or an error. */
export type SubscriptionOutcome = { ids: string[]; error?: string };

/**
 * Watches the result pane (it shows the latest payload of a running subscription) until `count`
 * distinct `field` payloads, told apart by their `id`, have been shown, or an error is.
 */
export async function waitForSubscriptionPayloads(
  page: Page,
  field: string,
  count: number,
  timeoutMs: number,
): Promise<SubscriptionOutcome> {
  const handle = await page.waitForFunction(
    ({ field, count }) => {
      const state = window as unknown as { seenPayloadIds?: Set<string> };
      state.seenPayloadIds ??= new Set();
      const text = (document.querySelector('.graphiql-response, .result-window')?.textContent ?? '').replace(
        /\u00a0/g,
        ' ',
      );
      if (/"errors"|Syntax Error/.test(text)) return { ids: [...state.seenPayloadIds], error: text };
      const id = new RegExp(`"${field}"[\\s\\S]*?"id":\\s*"([^"]+)"`).exec(text)?.[1];
      if (id) state.seenPayloadIds.add(id);
      return state.seenPayloadIds.size >= count ? { ids: [...state.seenPayloadIds] } : false;
    },
    { field, count },
    { timeout: timeoutMs, polling: 200 },
  );
  return (await handle.jsonValue()) as SubscriptionOutcome;
}
