import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { SignJWT } from 'jose';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway } from '../../src/gateway/index.ts';
import { ChainsDocument, EventsDocument } from './generated/graphql.ts';
import { postGraphql, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { openRawSocket } from './support/rawWs.ts';
import { demo, startTestGateway, type TestGateway, testConfig } from './support/startTestGateway.ts';

const secret = 'a-test-secret-of-32-characters!!';
let t: TestGateway;
let secured: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    limits: {
      maxDepth: 4,
      maxAliases: 5,
      maxTokens: 380,
      maxCost: 1_000,
      maxBodyBytes: 20_000,
      subscriptionsPerConnection: 3,
    },
    connectionInitWaitTimeout: 500,
  });
  secured = await startTestGateway({
    gateway: {
      auth: { jwtSecret: secret, required: true, issuer: 'blockwire-tests' },
      maskErrors: true,
      introspection: false,
    },
    limits: { requestsPerMinute: 20 },
  });
});

afterAll(async () => {
  await t?.stop();
  await secured?.stop();
});

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(url.replace('/graphql', '/healthz'));
  return response.status === 200;
}

/**
 * POSTs `body` over a plain socket the way curl does: all of it, then reads the answer. Reports the
 * status and code, and the socket error the client saw (EPIPE when the server closes mid-upload).
 */
function postRaw(url: string, body: Buffer): Promise<{ status?: number; code?: string; error?: string }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    let error: string | undefined;
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', (cause: NodeJS.ErrnoException) => (error ??= cause.code ?? cause.message));
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
      const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
      resolve({ error, status: status ? Number(status) : undefined, code });
    });
    socket.write(
      `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.end(body);
  });
}

async function token(subject: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer('blockwire-tests')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

describe('bad input over HTTP', () => {
  it('rejects a malformed query with GRAPHQL_PARSE_FAILED', async () => {
    const { status, body } = await postGraphql(t.url, '{ chains { chainId ');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('refuses depth, alias, cost, directive and token limits with HTTP 400 and a code of their own', async () => {
    const aliases = Array.from({ length: 12 }, (_, i) => `a${i}: chains { chainId }`).join(' ');
    const refusals = [
      {
        query: '{ events { nodes { ... on DemoVault_OrderFilled { args { legs { token } } } } } }',
        code: 'QUERY_TOO_DEEP',
        message: /depth limit of 4 exceeded/i,
      },
      { query: `{ ${aliases} }`, code: 'TOO_MANY_ALIASES', message: /aliases limit of 5 exceeded/i },
      {
        query: `{ ${Array.from({ length: 5 }, (_, i) => `c${i}: events(first: 100) { nodes { id blockNumber } }`).join(' ')} }`,
        code: 'QUERY_TOO_COSTLY',
        message: /cost limit of \d+ exceeded/i,
      },
      {
        query: `{ __typename ${'@include(if: true) '.repeat(51)}}`,
        code: 'TOO_MANY_DIRECTIVES',
        message: /directives limit of 50 exceeded/i,
      },
      {
        query: `{ ${Array.from({ length: 400 }, () => '__typename').join(' ')} }`,
        code: 'GRAPHQL_PARSE_FAILED',
        message: /token limit/i,
      },
    ];
    // application/json keeps the legacy 200 of the GraphQL-over-HTTP spec; the code tells them apart.
    for (const [accept, status] of [
      ['application/graphql-response+json', 400],
      ['application/json', 200],
    ] as const) {
      for (const { query, code, message } of refusals) {
        const response = await fetch(t.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify({ query }),
        });
        const body = (await response.json()) as {
          data?: unknown;
          errors: Array<{ message: string; extensions: Record<string, unknown> }>;
        };
        expect({ accept, code: body.errors?.[0]?.extensions.code, status: response.status }).toEqual({
          accept,
          code,
          status,
        });
        expect(body.errors[0]?.message).toMatch(message);
        if (code !== 'GRAPHQL_PARSE_FAILED') expect(body.errors[0]?.message).not.toMatch(/^Syntax Error/);
        expect(body.data ?? null).toBeNull();
      }
    }
  });

  it('answers a malformed JSON body with 400 without quoting the body when errors are masked', async () => {
    const response = await fetch(secured.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: '{"query": "{ __typename }", secret-value',
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain('secret-value');
    expect(text).not.toContain('originalError');
    const body = JSON.parse(text) as { errors: Array<{ extensions?: { code?: string } }> };
    expect(body.errors[0]?.extensions?.code).toBe('BAD_REQUEST');
  });

  it('refuses bodies over maxBodyBytes with 413, also a 10 MB one the client is still sending', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(50_000)}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const huge = await postRaw(t.url, Buffer.alloc(10 * 1024 * 1024, 'x'));
    expect(huge).toEqual({ error: undefined, status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a chunked body without Content-Length with 411', async () => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(t.url, { method: 'POST', headers: { 'content-type': 'application/json' } });
      request.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
      request.write('{"query":');
      request.end('"{ __typename }"}');
    });
    expect(response.status).toBe(411);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('LENGTH_REQUIRED');
  });

  it('names the argument or variable of an invalid scalar', async () => {
    const literal = await postGraphql(t.url, `{ erc20Balances(chainId: 31337, holder: "0x12") { balance } }`);
    expect(literal.body.errors?.[0]?.message).toMatch(
      /^Argument erc20Balances\(holder\) has an invalid value/,
    );
    expect(literal.body.errors?.[0]?.message).toContain('Address must be a 20-byte hex address');
    expect(literal.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const variable = await postGraphql(
      t.url,
      'query ($h: Address!) { erc20Balances(chainId: 31337, holder: $h) { balance } }',
      { h: '0x5FBDB2315678afecb367f032d93F642f64180aa3' },
    );
    expect(variable.body.errors?.[0]?.message).toMatch(/Variable "\$h" got invalid value .*checksum/);
    const bigint = await postGraphql(
      t.url,
      `{ nftOwner(chainId: 31337, contract: "${demo.nft}", tokenId: "1e18") }`,
    );
    expect(bigint.body.errors?.[0]?.message).toMatch(
      /^Argument nftOwner\(tokenId\).*BigInt must be an integer/,
    );
  });

  it('stays up and keeps memory bounded under a burst of bad requests', async () => {
    const before = process.memoryUsage().heapUsed;
    const bad = [
      '{',
      '{ chains { nope } }',
      `{ ${'a: __typename '.repeat(20)} }`,
      'query ($x: BigInt!) { __typename }',
    ];
    for (let round = 0; round < 50; round++) {
      await Promise.all(bad.map((query) => postGraphql(t.url, query)));
    }
    expect(await healthy(t.url)).toBe(true);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(100 * 1024 * 1024);
    const { body } = await postGraphql(t.url, ChainsDocument);
    expect(body.data?.chains[0]?.chainId).toBe(31337);
  });
});

describe('WebSocket abuse', () => {
  it('closes a socket that sends no connection_init within the timeout with 4408', async () => {
    const raw = await openRawSocket(t.wsUrl, { init: false });
    expect((await raw.closed).code).toBe(4408);
  });

  it('closes on a duplicate subscription id with 4409 and on garbage frames with 4400', async () => {
    const duplicate = await openRawSocket(t.wsUrl);
    const subscribe = {
      id: 'same',
      type: 'subscribe',
      payload: { query: 'subscription { heads { blockNumber } }' },
    };
    duplicate.send(subscribe);
    duplicate.send(subscribe);
    expect((await duplicate.closed).code).toBe(4409);

    const garbage = await openRawSocket(t.wsUrl);
    garbage.send('\u0000\u0001not json at all');
    expect((await garbage.closed).code).toBe(4400);
    const wrongShape = await openRawSocket(t.wsUrl);
    wrongShape.send({ type: 'subscribe', id: 42 });
    expect((await wrongShape.closed).code).toBe(4400);
    expect(await healthy(t.url)).toBe(true);
  });

  it('closes a flooding connection with 1008 and keeps serving others', async () => {
    const flood = await openRawSocket(t.wsUrl);
    for (let i = 0; i < 5_000; i++) flood.send({ type: 'ping' });
    expect((await flood.closed).code).toBe(1008);
    const calm = await openRawSocket(t.wsUrl);
    calm.send({ type: 'ping' });
    await calm.next((message) => message.type === 'pong');
    calm.socket.close();
  });

  it('closes a connection sending a frame over the payload limit with 1009 and logs one structured line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info', base: undefined },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const gateway = createGateway({ config: testConfig({ limits: { maxBodyBytes: 20_000 } }), logger });
    const consoleError = vi.spyOn(console, 'error');
    try {
      const wsUrl = (await gateway.start()).url.replace(/^http/, 'ws');
      const codes: number[] = [];
      for (let i = 0; i < 3; i++) {
        const raw = await openRawSocket(wsUrl);
        raw.send({ type: 'ping', payload: { padding: 'x'.repeat(30_000) } });
        codes.push((await raw.closed).code);
      }
      expect(codes).toEqual([1009, 1009, 1009]);
      const oversized = lines.filter((line) => String(line.msg).includes('payload limit'));
      expect(oversized).toEqual([expect.objectContaining({ level: 40, limit_bytes: 20_000, suppressed: 0 })]);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      await gateway.stop();
    }
  });

  it('limits subscriptions per connection and reports errors with codes', async () => {
    const raw = await openRawSocket(t.wsUrl);
    for (let i = 0; i < 4; i++)
      raw.send({
        id: `s${i}`,
        type: 'subscribe',
        payload: { query: 'subscription { heads { blockNumber } }' },
      });
    const error = await raw.next((message) => message.type === 'error');
    expect(error.id).toBe('s3');
    expect((error.payload as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'SUBSCRIPTION_LIMIT',
    );
    raw.send({ id: 's0', type: 'complete' });
    raw.send({ id: 'bad', type: 'subscribe', payload: { query: 'subscription { nope }' } });
    const invalid = await raw.next((message) => message.type === 'error' && message.id === 'bad');
    expect((invalid.payload as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'GRAPHQL_VALIDATION_FAILED',
    );
    raw.send({
      id: 'deep',
      type: 'subscribe',
      payload: { query: '{ events { nodes { ... on DemoVault_OrderFilled { args { legs { token } } } } } }' },
    });
    const deep = await raw.next((message) => message.type === 'error' && message.id === 'deep');
    expect((deep.payload as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'QUERY_TOO_DEEP',
    );
    raw.socket.close();
    await waitUntil(() => t.gateway.stats().listeners === 0, 10_000, 'subscriptions released');
  });
});

describe('authentication, rate limits and production settings', () => {
  it('requires a valid JWT over HTTP and in WebSocket connection params', async () => {
    const anonymous = await postGraphql(secured.url, ChainsDocument);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await postGraphql(secured.url, ChainsDocument, undefined, {
      authorization: 'Bearer not.a.jwt',
    });
    expect(forged.status).toBe(401);
    const allowed = await postGraphql(secured.url, ChainsDocument, undefined, {
      authorization: `Bearer ${await token('alice')}`,
    });
    expect(allowed.body.data?.chains[0]?.chainId).toBe(31337);

    const refused = await openRawSocket(secured.wsUrl, { init: false });
    refused.send({ type: 'connection_init', payload: {} });
    expect((await refused.closed).code).toBe(4403);
    const client = wsClient(secured.wsUrl, { authorization: `Bearer ${await token('bob')}` });
    const sub = subscribeWs(client, EventsDocument, { filter: { contracts: [demo.token] } });
    await waitUntil(() => secured.gateway.stats().listeners === 1, 10_000, 'authenticated subscription');
    await secured.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: demo.nft, to: demo.items, value: '1' },
    });
    await sub.waitFor(1);
    sub.stop();
    await client.dispose();
  });

  it('forbids introspection when disabled and rate-limits a client with 429', async () => {
    const auth = { authorization: `Bearer ${await token('carol')}` };
    const introspection = await postGraphql(secured.url, '{ __schema { types { name } } }', undefined, auth);
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    let limited: Response | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const response = await fetch(secured.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.status === 429) limited = response;
    }
    expect(limited?.headers.get('retry-after')).toMatch(/^\d+$/);
    const body = (await limited!.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('RATE_LIMITED');
  });
});
