import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainsDocument, EventsDocument } from './generated/graphql.ts';
import { postGraphql, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { openRawSocket } from './support/rawWs.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';

const secret = 'a-test-secret-of-32-characters!!';
let t: TestGateway;
let secured: TestGateway;

beforeAll(async () => {
  t = await startTestGateway({
    limits: {
      maxDepth: 4,
      maxAliases: 5,
      maxTokens: 300,
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

  it('rejects nesting deeper than maxDepth, alias bombs and oversized token counts', async () => {
    const deep = await postGraphql(
      t.url,
      '{ events { nodes { ... on DemoVault_OrderFilled { args { legs { token } } } } } }',
    );
    expect(deep.body.errors?.[0]?.message).toMatch(/depth/i);
    expect(deep.body.errors?.[0]?.extensions?.code).toBeTypeOf('string');
    const aliases = Array.from({ length: 12 }, (_, i) => `a${i}: chains { chainId }`).join(' ');
    const bomb = await postGraphql(t.url, `{ ${aliases} }`);
    expect(bomb.body.errors?.[0]?.message).toMatch(/alias/i);
    const tokens = await postGraphql(
      t.url,
      `{ ${Array.from({ length: 400 }, () => '__typename').join(' ')} }`,
    );
    expect(tokens.body.errors?.[0]?.message).toMatch(/token/i);
    for (const result of [deep, bomb, tokens]) expect(result.body.data ?? null).toBeNull();
  });

  it('refuses bodies over maxBodyBytes with 413 before parsing them', async () => {
    const response = await fetch(t.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename } # ${'x'.repeat(50_000)}` }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('PAYLOAD_TOO_LARGE');
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
