import { Redis } from 'ioredis';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createGateway } from '/work/main/src/gateway/index.ts';
import { loadConfig } from '/work/main/src/shared/config/index.ts';
import { createFakeProcessor } from '/work/main/test/gateway/support/fakeProcessor.ts';
import { EventsDocument } from '/work/main/test/gateway/generated/graphql.ts';

const base = loadConfig('/work/main/examples/blockwire.yaml');
const config = { ...base, redis: { ...base.redis, keyPrefix: `dbg${Date.now()}:` }, gateway: { ...base.gateway, port: 0, maskErrors: false } };
const gw = createGateway({ config });
const { url } = await gw.start();
const redis = new Redis(config.redis.url);
const fake = createFakeProcessor({ redis, keyPrefix: config.redis.keyPrefix, chainId: 31337 });
const client = createClient({ url: url.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
client.subscribe({ query: print(EventsDocument), variables: { filter: { chainId: 31337 } } }, {
  next: (v) => console.log('next', JSON.stringify(v).slice(0, 300)),
  error: (e) => console.log('error', e),
  complete: () => console.log('complete'),
});
while (gw.stats().listeners < 1) await new Promise((r) => setTimeout(r, 50));
console.log('listening', gw.stats());
await fake.emit({ address: '0x5fbdb2315678afecb367f032d93f642f64180aa3', eventName: 'Transfer', args: { from: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', to: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', value: '1' } });
const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ chains { chainId head contracts { name processedCursor } } events(first: 5) { nodes { __typename id cursor } endPosition hasNextPage } }' }) });
console.log(r.status, await r.text());
await new Promise((r) => setTimeout(r, 1000));
await client.dispose(); await gw.stop(); redis.disconnect();
