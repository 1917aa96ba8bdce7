import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainsDocument, EventsDocument } from './generated/graphql.ts';
import { postGraphql, subscribeWs, waitUntil, wsClient } from './support/clients.ts';
import { demo, startTestGateway, type TestGateway } from './support/startTestGateway.ts';

// Asymmetric JWTs checked against a JWKS endpoint (the identity provider's key set), served here by a
// real HTTP server with a real RS256 key pair.
describe('JWT authentication with a JWKS URL', () => {
  let jwks: Server;
  let gateway: TestGateway;
  let jwksRequests = 0;
  let signingKey: CryptoKey;
  let strangerKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    const stranger = await generateKeyPair('RS256');
    signingKey = pair.privateKey;
    strangerKey = stranger.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    jwks = createServer((_request, response) => {
      jwksRequests++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as AddressInfo;
    gateway = await startTestGateway({
      gateway: {
        auth: {
          jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
          issuer: 'https://id.example',
          audience: 'blockwire',
          required: true,
        },
      },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => jwks?.close(resolve));
  });

  const sign = (
    key: CryptoKey,
    {
      subject = 'alice',
      audience = 'blockwire',
      kid = 'test-key',
    }: { subject?: string; audience?: string; kid?: string } = {},
  ) =>
    new SignJWT({ role: 'reader' })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject(subject)
      .setIssuer('https://id.example')
      .setAudience(audience)
      .setExpirationTime('5m')
      .sign(key);

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('accepts a token signed by a key of the set, over HTTP and in WebSocket connection params', async () => {
    const http = await postGraphql(gateway.url, ChainsDocument, undefined, bearer(await sign(signingKey)));
    expect(http.status).toBe(200);
    expect(http.body.data?.chains[0]?.chainId).toBe(31337);
    expect(jwksRequests).toBeGreaterThan(0);

    const client = wsClient(gateway.wsUrl, bearer(await sign(signingKey, { subject: 'bob' })));
    const events = subscribeWs(client, EventsDocument, { filter: { contracts: [demo.token] } });
    await waitUntil(() => gateway.gateway.stats().listeners === 1, 10_000, 'authenticated subscription');
    await gateway.fake.emit({
      address: demo.token,
      eventName: 'Transfer',
      args: { from: demo.nft, to: demo.items, value: '1' },
    });
    await events.waitFor(1);
    events.stop();
    await client.dispose();
  });

  it('refuses tokens signed by another key, for another audience, or naming an unknown key, and no token', async () => {
    const cases = {
      'another key': await sign(strangerKey),
      'another audience': await sign(signingKey, { audience: 'someone-else' }),
      'unknown key id': await sign(strangerKey, { kid: 'not-in-the-set' }),
    };
    for (const [name, token] of Object.entries(cases)) {
      const { status, body } = await postGraphql(gateway.url, ChainsDocument, undefined, bearer(token));
      expect(status, name).toBe(401);
      expect(body.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
      expect(body.errors?.[0]?.message, name).toMatch(/^Invalid token: /);
    }
    const anonymous = await postGraphql(gateway.url, ChainsDocument);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.message).toMatch(/Authentication required/);
  });
});
