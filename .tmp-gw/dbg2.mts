import { createGateway } from '/work/main/src/gateway/index.ts';
import { loadConfig } from '/work/main/src/shared/config/index.ts';
const base = loadConfig('/work/main/examples/blockwire.yaml');
const config = { ...base, redis: { ...base.redis, keyPrefix: `dbg${Date.now()}:` }, gateway: { ...base.gateway, port: 0, maskErrors: false } };
const gw = createGateway({ config });
const { url } = await gw.start();
for (const q of ['{ __typename }', '{ chains { chainId } }', '{ chains { head } }', '{ events(first: 5) { hasNextPage } }']) {
  const t0 = Date.now();
  const r = await Promise.race([fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) }).then(r => r.text()), new Promise(r => setTimeout(() => r('TIMEOUT'), 3000))]);
  console.log(q, Date.now() - t0, String(r).slice(0, 300));
}
await gw.stop();
