/**
 * The `ts run` blocks of docs/clients.md (urql, Apollo Client) run as written, in a child Node
 * process, against a real pipeline (Hardhat → ingest → Kafka → process → Redis → gateway): each reads
 * the pipeline status and receives two live events. The JWT block of docs/operations.md signs a token
 * that a gateway configured as the docs say accepts, and the same gateway refuses callers without one.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline } from '../e2e/support/pipeline.ts';
import { startTestGateway, type TestGateway } from '../gateway/support/startTestGateway.ts';
import { hardhatAccounts, startTestChain, type TestChain } from '../support/chain.ts';
import { randomId } from '../support/random.ts';
import { extractFences } from './support/extractGraphqlBlocks.ts';

const root = join(import.meta.dirname, '../..');
// Inside the checkout, so the snippets' imports resolve from its node_modules like an app's do.
const snippetDir = join(root, 'test-results', 'doc-snippets');
const webSocketGlobal = join(import.meta.dirname, 'support/webSocketGlobal.ts');

type Snippet = { name: string; line: number; source: string };

/** The `ts run` blocks of a Markdown file, each named after the heading above it. */
function runnableSnippets(file: string): Snippet[] {
  const markdown = readFileSync(join(root, file), 'utf8');
  return extractFences(markdown)
    .filter((fence) => fence.language === 'ts' && fence.attributes.includes('run'))
    .map((fence) => {
      const headings = [...markdown.slice(0, fence.start).matchAll(/^#+ (.+)$/gm)];
      return { name: `${file} · ${headings.at(-1)?.[1] ?? 'snippet'}`, line: fence.line, source: fence.body };
    });
}

type RunResult = { code: number | null; stdout: string; stderr: string };

/** Runs a snippet with tsx in a child Node process, the way an app would run it. */
function runSnippet(snippet: Snippet, env: Record<string, string>, timeoutMs: number): Promise<RunResult> {
  mkdirSync(snippetDir, { recursive: true });
  const file = join(snippetDir, `${randomId('snippet')}.ts`);
  writeFileSync(file, snippet.source);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', '--import', webSocketGlobal, file],
      { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

const clientSnippets = runnableSnippets('docs/clients.md');
const [jwtSnippet] = runnableSnippets('docs/operations.md');

describe('docs/clients.md snippets', () => {
  let chain: TestChain;
  let pipeline: Pipeline;
  let address: string;
  let traffic: ReturnType<typeof setInterval> | undefined;

  beforeAll(async () => {
    // A node of its own: the pipeline deploys from the default account, which other test files
    // use on the shared node too.
    chain = await startTestChain();
    pipeline = await startPipeline({ chain, confirmations: 0, gateway: true });
    address = new URL(pipeline.graphqlUrl!).host;
    // A mint every 300 ms while the snippets listen: they subscribe without `after`, so they need
    // events that happen after they connected.
    const wallet = chain.walletClients[0]!;
    const account = hardhatAccounts()[2]!.address;
    let sending = false;
    traffic = setInterval(() => {
      if (sending) return;
      sending = true;
      wallet
        .writeContract({ ...pipeline.contracts.erc20, functionName: 'mint', args: [account, 1n] })
        .catch(() => undefined)
        .finally(() => {
          sending = false;
        });
    }, 300);
  }, 180_000);

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await pipeline?.stop();
    await chain?.stop();
  }, 60_000);

  it('documents a runnable urql and Apollo Client example', () => {
    expect(clientSnippets.map((snippet) => snippet.name)).toEqual([
      'docs/clients.md · urql',
      'docs/clients.md · Apollo Client',
    ]);
  });

  it.each(clientSnippets)(
    '$name reads the pipeline status and receives live events',
    async (snippet) => {
      const source = snippet.source.replaceAll('localhost:4000', address);
      const result = await runSnippet({ ...snippet, source }, {}, 100_000);
      const context = `${snippet.name} (line ${snippet.line})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
      expect(result.code, context).toBe(0);
      expect(result.stderr, context).toBe('');
      const lines = result.stdout.trim().split('\n');
      const chains = JSON.parse(lines[0]!.replace(/^chains /, '')) as { chainId: number }[];
      expect(chains.map((c) => c.chainId)).toContain(chain.chainId);
      const events = lines.slice(1).map((line) => JSON.parse(line.replace(/^event /, '')));
      expect(events, context).toHaveLength(2);
      expect(new Set(events.map((event) => event.id)).size).toBe(2);
      for (const event of events) {
        expect(event).toMatchObject({
          status: 'CONFIRMED',
          contractName: 'DemoToken',
          eventName: 'Transfer',
        });
        expect(event.resumeToken).toEqual(expect.any(String));
      }
    },
    120_000,
  );
});

describe('docs/operations.md JWT example', () => {
  const secret = 'docs-example-secret-0123456789abcdef';
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({
      gateway: {
        auth: {
          jwtSecret: secret,
          issuer: 'https://auth.example.com',
          audience: 'blockwire',
          required: true,
        },
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
  });

  const query = (headers: Record<string, string>) =>
    fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ chains { chainId } }' }),
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));

  it('signs a token the configured gateway accepts', async () => {
    expect(jwtSnippet, 'a ts run block in docs/operations.md').toBeDefined();
    const result = await runSnippet(jwtSnippet!, { JWT_SECRET: secret }, 60_000);
    expect(result.code, result.stderr).toBe(0);
    const token = result.stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const accepted = await query({ authorization: `Bearer ${token}` });
    expect(accepted.body.errors, JSON.stringify(accepted.body)).toBeUndefined();
    expect(accepted.body.data).toEqual({ chains: expect.any(Array) });
  }, 90_000);

  it('is needed: the same gateway refuses a caller without a token, and a token signed with another secret', async () => {
    const anonymous = await query({});
    expect(anonymous.status).toBe(401);
    const forged = await runSnippet(jwtSnippet!, { JWT_SECRET: 'another-secret-0123456789abcdef' }, 60_000);
    const refused = await query({ authorization: `Bearer ${forged.stdout.trim()}` });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused.body)).toContain('UNAUTHENTICATED');
  }, 90_000);
});
