import { serverAudits } from 'graphql-http';
import { createGateway } from '/work/main/src/gateway/index.ts';
import { loadConfig } from '/work/main/src/shared/config/index.ts';
const base = loadConfig('/work/main/examples/blockwire.yaml');
const config = { ...base, redis: { ...base.redis, keyPrefix: `dbg${Date.now()}:` }, gateway: { ...base.gateway, port: 0, maskErrors: false, limits: {...base.gateway.limits, requestsPerMinute: 100000} } };
const gw = createGateway({ config });
const { url } = await gw.start();
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const r = await audit.fn();
  if (r.status !== 'ok') console.log(r.status, audit.name, r.reason);
}
await gw.stop();
