/**
 * The README's first command, end to end: `blockwire dev` brings the demo up, the dashboard in a real
 * Chromium shows events moving (PENDING → CONFIRMED), GraphiQL opens without internet on our example
 * subscription and query and runs both, and Ctrl-C leaves no process and no port behind.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { graphiqlDefaultQuery } from '../../src/dashboard/index.ts';
import { freePort, isPortOpen } from '../../src/dev-stack/index.ts';
import { getStack } from '../support/stack.ts';
import {
  blockOutsideRequests,
  queryEditorText,
  resultText,
  runOperation,
  stopOperation,
  waitForQueryEditor,
  waitForSubscriptionPayloads,
} from './support/graphiql.ts';
import {
  listDescendants,
  type ProcessInfo,
  processGroupMembers,
  stillRunning,
} from './support/processTree.ts';
import { type DevProcess, spawnDev } from './support/spawnDev.ts';

const chromiumPath = '/usr/bin/chromium';
const screenshotPath = 'test-results/dashboard.png';

describe('blockwire dev with the dashboard', () => {
  let dev: DevProcess;
  let browser: Browser | undefined;
  let stackDir: string;
  let port: number;
  let base: string;
  let hardhatPort: number;
  // Everything dev started, recorded while it runs: after Ctrl-C none of it may be left.
  let started: ProcessInfo[] = [];

  const tail = () => dev.output().split('\n').slice(-40).join('\n');

  beforeAll(async () => {
    const stack = getStack();
    port = await freePort();
    stackDir = mkdtempSync(join(tmpdir(), 'blockwire-dev-'));
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) env[key] = value;
    // dev must start its own chain (it rewinds it for demo reorgs), never the run's shared one.
    delete env.BLOCKWIRE_RPC_HTTP;
    delete env.BLOCKWIRE_RPC_WS;
    Object.assign(env, {
      PORT: String(port),
      BLOCKWIRE_STACK_DIR: stackDir,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      REDIS_URL: stack.redisUrl,
      LOG_LEVEL: 'info',
      // The child runs bin/blockwire.js itself; vitest's loader must not leak into it.
      NODE_OPTIONS: '',
    });
    dev = spawnDev({ env });
    const line = await dev.waitForLine(/Dashboard:/, 170_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- output tail ---\n${tail()}`);
    });
    base = line.match(/Dashboard:\s+(http:\/\/\S+?)\/?$/)?.[1] ?? '';
    expect(base, `Dashboard line: ${line}`).toBe(`http://127.0.0.1:${port}`);
    const config = parseYaml(readFileSync(join(stackDir, 'dev', 'blockwire.yaml'), 'utf8')) as {
      chains: { rpc: { http: string } }[];
    };
    const rpcHttp = config.chains[0]?.rpc.http ?? '';
    expect(rpcHttp, 'dev runs its own Hardhat node, not the shared one').not.toBe(stack.rpcHttp);
    hardhatPort = Number(new URL(rpcHttp).port);
    started = [...processGroupMembers(dev.pid), ...listDescendants(dev.pid)];
    expect(
      started.some((p) => p.command.includes('hardhat') && p.command.includes(String(hardhatPort))),
    ).toBe(true);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    if (dev && dev.child.exitCode === null && dev.child.signalCode === null) {
      // A test failed before Ctrl-C: stop dev gracefully so it stops its Hardhat node, then insist.
      started = [...started, ...processGroupMembers(dev.pid), ...listDescendants(dev.pid)];
      dev.signal('SIGINT');
      const exited = await Promise.race([dev.exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!exited) {
        dev.signal('SIGKILL');
        await dev.exited;
      }
    }
    // Whatever the assertions said, leave nothing running.
    for (const leftover of stillRunning(started)) {
      try {
        process.kill(leftover.pid, 'SIGKILL');
      } catch {}
    }
    if (stackDir) rmSync(stackDir, { recursive: true, force: true });
  }, 60_000);

  it('shows the pipeline status and events moving from PENDING to CONFIRMED', async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const served = await fetch(`${base}/`);
    expect(
      served.status,
      'GET / must serve the dashboard: the gateway has to route requests to createDashboardHandler() (src/dashboard)',
    ).toBe(200);
    await page.goto(`${base}/`);
    await expect
      .poll(() => page.locator('#connection').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('connected');

    // Demo traffic sends a transaction per second; with 2 confirmations an event goes PENDING →
    // CONFIRMED within a few blocks.
    await page.waitForFunction(
      () => {
        const rows = [...document.querySelectorAll<HTMLElement>('[data-testid="feed-row"]')];
        return (
          rows.length >= 3 &&
          rows.some((row) => row.dataset.status === 'CONFIRMED') &&
          rows.some((row) => row.dataset.history === 'PENDING CONFIRMED')
        );
      },
      undefined,
      { timeout: 90_000, polling: 250 },
    );
    // The demo trades on its Market too: the feed shows the entity changes of its projections.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLElement>('[data-testid="entity-row"]')].some((row) =>
          /Market\.Listing /.test(row.title),
        ),
      undefined,
      { timeout: 60_000, polling: 250 },
    );
    await page.waitForFunction(
      () =>
        /^\d+$/.test(
          document.querySelector('[data-testid="chain-row"] [data-field="confirmed"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 30_000, polling: 250 },
    );

    const confirmed = Number(
      await page.locator('[data-testid="chain-row"] [data-field="confirmed"]').first().textContent(),
    );
    const head = Number(
      await page.locator('[data-testid="chain-row"] [data-field="head"]').first().textContent(),
    );
    expect(confirmed).toBeGreaterThan(0);
    expect(head).toBeGreaterThanOrEqual(confirmed);
    // The rate chart counts the same deliveries the feed shows; it is redrawn once a second, so the
    // last rows may not be in it yet.
    await expect
      .poll(async () => Number(await page.locator('#rate-chart').getAttribute('data-total')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(3);
    // The subscriber panel shows the gateway's own count, which includes this page's subscriptions.
    await expect
      .poll(() => page.locator('#active-subscribers').getAttribute('data-state'), { timeout: 20_000 })
      .toBe('ok');
    const rows = page.locator('[data-testid="feed-row"]');
    expect(await rows.count()).toBeLessThanOrEqual(200);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 150_000);

  it('opens GraphiQL offline on our operations: the query shows data, the subscription shows events arriving', async () => {
    const operations = [...graphiqlDefaultQuery.matchAll(/^(query|subscription) (\w+)/gm)];
    expect(operations.map((m) => m[1]).sort()).toEqual(['query', 'subscription']);
    const queryName = operations.find((m) => m[1] === 'query')![2]!;
    const subscriptionName = operations.find((m) => m[1] === 'subscription')![2]!;

    // No internet: every request to another host is refused (and recorded).
    const context = await browser!.newContext({ viewport: { width: 1280, height: 1100 } });
    const outside = await blockOutsideRequests(context);
    try {
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      const response = await page.goto(`${base}/graphql`);
      expect(response?.status()).toBe(200);

      // A first visit opens on our example operations (GraphiQL's UI comes from the gateway itself).
      await waitForQueryEditor(page, `subscription ${subscriptionName}`, 90_000);
      const editor = await queryEditorText(page);
      expect(editor).toContain(`query ${queryName}`);
      expect(editor).not.toContain('Welcome to GraphiQL');

      await runOperation(page, queryName);
      await expect.poll(() => resultText(page), { timeout: 30_000 }).toMatch(/"chainId":\s*31337/);
      const queryResult = await resultText(page);
      expect(queryResult).toContain('"chains"');
      expect(queryResult).not.toMatch(/"errors"|Syntax Error/);

      // Demo traffic sends a transaction per second: the pane keeps showing the latest event.
      await runOperation(page, subscriptionName);
      const events = await waitForSubscriptionPayloads(page, 'events', 2, 60_000);
      expect(events.error).toBeUndefined();
      expect(events.ids.length).toBeGreaterThanOrEqual(2);
      expect(sockets).toContain(`ws://127.0.0.1:${port}/graphql`);
      await stopOperation(page);
      expect(pageErrors).toEqual([]);
      await page.close();

      // GraphiQL prefers tabs it stored before: tabs another GraphiQL left on this origin (its
      // comment-only welcome text, which runs as "Syntax Error: Unexpected <EOF>") must not hide ours.
      const stale = await context.newPage();
      await stale.goto(`${base}/healthz`);
      await stale.evaluate(() => {
        const welcome = '# Welcome to GraphiQL\n#\n# Type queries into this side of the screen\n';
        localStorage.clear();
        localStorage.setItem('graphiql:query', welcome);
        localStorage.setItem(
          'graphiql:tabState',
          JSON.stringify({
            activeTabIndex: 0,
            tabs: [
              {
                id: 'stale',
                title: '<untitled>',
                query: welcome,
                variables: null,
                headers: null,
                operationName: null,
                response: null,
              },
            ],
          }),
        );
      });
      await stale.goto(`${base}/graphql`);
      await waitForQueryEditor(stale, `subscription ${subscriptionName}`, 90_000);
      expect(await queryEditorText(stale)).not.toContain('Welcome to GraphiQL');
      await runOperation(stale, queryName);
      await expect.poll(() => resultText(stale), { timeout: 30_000 }).toMatch(/"chainId":\s*31337/);
      await stale.close();

      expect(outside.urls, 'requests that would have left the machine').toEqual([]);
    } finally {
      await context.close();
    }
  }, 300_000);

  it('starts cleanly: no error-level line, and the ready banner is the last start-up output', async () => {
    const bannerEnd = /^Ctrl-C stops everything this command started\.$/;
    await dev.waitForLine(bannerEnd, 30_000);
    const lines = dev.output().split('\n');
    const end = lines.findIndex((line) => bannerEnd.test(line));
    expect(lines.slice(0, end), 'the banner says every role is ready').toContain('blockwire is running.');
    // Not a TTY: one JSON object per log line.
    const logs = (from: number, to?: number) =>
      lines
        .slice(from, to)
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(
      logs(0, end).filter((line) => line.level >= 50),
      'no error-level line on a healthy start',
    ).toEqual([]);
    // By now (after the other tests) any late start-up line would have arrived; demo traffic and
    // reorg lines after the banner are expected.
    const startup = [
      'Role started',
      'Gateway listening',
      'Following heads',
      'Consuming events.confirmed',
      'Rebuild complete: caught up with events.confirmed',
    ];
    expect(logs(end + 1).filter((line) => startup.includes(line.msg))).toEqual([]);
    expect(logs(end + 1).filter((line) => line.level >= 50)).toEqual([]);
  });

  it('stops everything it started on Ctrl-C: no process and no port left', async () => {
    expect(await isPortOpen(port)).toBe(true);
    expect(await isPortOpen(hardhatPort)).toBe(true);
    // Processes started since (none expected, but record them all).
    started = [...started, ...processGroupMembers(dev.pid), ...listDescendants(dev.pid)];
    const at = Date.now();
    dev.signal('SIGINT');
    const exit = await Promise.race([
      dev.exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000)),
    ]);
    expect(exit, `blockwire dev did not exit within 20 s of SIGINT\n${tail()}`).not.toBe('timeout');
    // A clean exit (0), or the conventional Ctrl-C status when the CLI re-raises the signal.
    expect(
      exit === 'timeout' ? undefined : exit.code === 0 || exit.code === 130 || exit.signal === 'SIGINT',
      JSON.stringify(exit),
    ).toBe(true);
    console.log(`[dashboard] blockwire dev exited ${Date.now() - at} ms after SIGINT`);
    expect(await isPortOpen(port), 'gateway port still listening').toBe(false);
    expect(await isPortOpen(hardhatPort), 'Hardhat port still listening').toBe(false);
    expect(processGroupMembers(dev.pid).map((p) => p.command)).toEqual([]);
    expect(stillRunning(started).map((p) => `${p.pid} ${p.command}`)).toEqual([]);
  }, 60_000);
});
