import { Cluster, Redis } from 'ioredis';
import { startRedisCluster } from '/work/main/src/dev-stack/index.ts';
import { keySlot } from '/work/main/src/domain/index.ts';

const cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 0 });
try {
  const client = new Cluster(cluster.startupNodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })), { shardedSubscribers: true });
  client.on('error', (e) => console.log('cluster error', e.message));
  client.on('nodeError', (e, key) => console.log('nodeError', key, e.message));
  client.on('-subscriber', () => console.log('-subscriber'));
  client.on('+subscriber', () => console.log('+subscriber'));
  const channel = 'ch:{x}';
  const slot = keySlot(channel);
  const got: string[] = [];
  client.on('smessage', (c, m) => got.push(m));
  await client.ssubscribe(channel);
  const pub = new Cluster(cluster.startupNodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
  await pub.spublish(channel, 'a');
  await new Promise((r) => setTimeout(r, 200));
  const from = await cluster.masterOf(slot);
  const to = cluster.nodes.find((n) => n.port !== from.port)!;
  const idOf = async (port: number) => String(await new Redis(port).call('CLUSTER', 'MYID'));
  const fromId = await idOf(from.port); const toId = await idOf(to.port);
  const src = new Redis(from.port), dst = new Redis(to.port);
  await dst.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
  await src.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
  await dst.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  await src.call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  for (const n of cluster.nodes) if (n.port !== from.port && n.port !== to.port) await new Redis(n.port).call('CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  console.log('moved slot', slot, from.port, '->', to.port);
  for (let i = 0; i < 20; i++) { await pub.spublish(channel, `m${i}`).catch((e) => console.log('pub err', e.message)); await new Promise((r) => setTimeout(r, 100)); }
  console.log('got', got.join(','));
} finally { await cluster.stop(); process.exit(0); }
