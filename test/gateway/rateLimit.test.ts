import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway/index.ts';
import type { ResolvedConfig } from '../../src/shared/config/index.ts';
import { openRawSocket } from './support/rawWs.ts';
import { testConfig } from './support/startTestGateway.ts';

const secret = 'a-test-secret-of-32-characters!!';
const limit = 6;
const started: Gateway[] = [];

/** Two gateways of one deployment: same config, same Redis and key prefix, own ports. */
let urls: string[];
let proxied: string;

async function start(config: ResolvedConfig): Promise<string> {
  const gateway = createGateway({ config });
  started.push(gateway);
  return (await gateway.start()).url;
}

beforeAll(async () => {
  const config = testConfig({
    gateway: { auth: { jwtSecret: secret, required: false } },
    limits: { requestsPerMinute: limit },
  });
  urls = [await start(config), await start(config)];
  proxied = await start({
    ...config,
    redis: { ...config.redis, keyPrefix: `${config.redis.keyPrefix}proxied:` },
    gateway: { ...config.gateway, trustProxy: true },
  });
});

afterAll(async () => {
  await Promise.all(started.map((gateway) => gateway.stop()));
});

function token(subject: string): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

/** Sends `count` `{ __typename }` requests, alternating over `targets`; returns their statuses. */
async function statuses(targets: string[], count: number, headers: Record<string, string> = {}) {
  const result: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(targets[i % targets.length]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    await response.arrayBuffer();
    result.push(response.status);
  }
  return result;
}

describe('rate limit shared in Redis', () => {
  it('two gateways share one budget: requests spread over both are refused once it is spent', async () => {
    const auth = { authorization: `Bearer ${await token('shared')}` };
    const seen = await statuses(urls, limit * 2, auth);
    expect(seen.filter((status) => status === 200)).toHaveLength(limit);
    expect(seen.slice(limit)).toEqual(Array(limit).fill(429));
    const refused = await fetch(urls[1]!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(refused.status).toBe(429);
    // The window is one minute from the first request: the client is told to wait out its rest (a
    // token bucket refilling `limit` per minute would say 10 s: the time to earn one token).
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(10);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
  });

  it('keys an authenticated client by its token subject, not its address', async () => {
    const first = await statuses(urls, limit + 1, { authorization: `Bearer ${await token('dave')}` });
    expect(first.at(-1)).toBe(429);
    const second = await statuses(urls, limit, { authorization: `Bearer ${await token('erin')}` });
    expect(second).toEqual(Array(limit).fill(200));
  });

  it('counts WebSocket subscribes against the same budget as HTTP requests', async () => {
    const auth = `Bearer ${await token('frank')}`;
    expect(await statuses(urls, limit, { authorization: auth })).toEqual(Array(limit).fill(200));
    const raw = await openRawSocket(urls[1]!.replace(/^http/, 'ws'), { payload: { authorization: auth } });
    raw.send({ id: 'one', type: 'subscribe', payload: { query: '{ __typename }' } });
    const error = await raw.next((message) => message.type === 'error');
    expect((error.payload as Array<{ extensions: { code: string } }>)[0]!.extensions.code).toBe(
      'RATE_LIMITED',
    );
    raw.socket.close();
  });

  it('ignores X-Forwarded-For unless gateway.trustProxy is set', async () => {
    const spoofed = await statuses(urls, limit + 1, { 'x-forwarded-for': '203.0.113.7' });
    const more = await statuses(urls, 1, { 'x-forwarded-for': '203.0.113.8' });
    expect([spoofed.at(-1), more[0]]).toEqual([429, 429]);

    const behindProxy = await statuses([proxied], limit + 1, { 'x-forwarded-for': '198.51.100.1, 10.0.0.1' });
    expect(behindProxy.at(-1)).toBe(429);
    const otherClient = await statuses([proxied], 1, { 'x-forwarded-for': '198.51.100.2, 10.0.0.1' });
    expect(otherClient).toEqual([200]);
  });
});
