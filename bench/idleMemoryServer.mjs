// The measured server of bench/idleMemory.ts, in plain JavaScript so that it runs on plain Node like
// the shipped CLI (no TypeScript loader in the process, whose keep-names helper would add a property
// table to every closure the gateway creates). Driven over IPC by the bench:
//
//   node --expose-gc bench/idleMemoryServer.mjs gateway <module directory URL> <extension> <config.json>
//   node --expose-gc bench/idleMemoryServer.mjs baseline
//
// `gateway` imports `<directory>/gateway/index<extension>` (the compiled dist/ or, under tsx, src/).
// It sends { type: 'ready', url } once listening and answers { type: 'memory' } with the heap
// figures after a full GC, the open connections and the live subscriptions.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';
import { WebSocketServer } from 'ws';

function collectGarbage() {
  // Twice: the first pass runs finalizers that free more in the second.
  globalThis.gc?.();
  globalThis.gc?.();
}

function serveMemoryRequests(counts) {
  process.on('message', (command) => {
    if (command.type !== 'memory') return;
    void counts().then((current) => {
      collectGarbage();
      const usage = process.memoryUsage();
      if (process.env.BENCH_HEAP_SPACES)
        process.stderr.write(
          `heap spaces (used/size MB): ${v8
            .getHeapSpaceStatistics()
            .map(
              (space) =>
                `${space.space_name} ${(space.space_used_size / 1048576).toFixed(1)}/${(space.space_size / 1048576).toFixed(1)}`,
            )
            .join(', ')}\n`,
        );
      process.send({
        type: 'memory',
        heapUsed: usage.heapUsed,
        heapTotal: usage.heapTotal,
        external: usage.external,
        ...current,
      });
    });
  });
  // The bench going away ends the server (no orphan holding ports).
  process.once('disconnect', () => process.exit(0));
}

async function runGateway(directory, extension, configPath) {
  const { createGateway } = await import(new URL(`gateway/index${extension}`, directory).href);
  const { metricsRegistry } = await import(new URL(`shared/metrics${extension}`, directory).href);
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  const gateway = createGateway({ config });
  const { url } = await gateway.start();
  serveMemoryRequests(async () => {
    const gauge = await metricsRegistry.getSingleMetric('blockwire_gateway_active_subscriptions')?.get();
    const subscriptions = (gauge?.values ?? []).reduce((sum, entry) => sum + entry.value, 0);
    return { connections: gateway.stats().webSocketClients, subscriptions };
  });
  process.send({ type: 'ready', url: url.replace(/^http/, 'ws') });
}

async function runBaseline() {
  // Holds connections and nothing else: what an open WebSocket costs in Node with `ws`.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  serveMemoryRequests(async () => ({ connections: wss.clients.size, subscriptions: 0 }));
  process.send({ type: 'ready', url: `ws://127.0.0.1:${wss.address().port}/graphql` });
}

const [kind, ...rest] = process.argv.slice(2);
if (kind === 'gateway') await runGateway(rest[0], rest[1], rest[2]);
else if (kind === 'baseline') await runBaseline();
else throw new Error(`Expected gateway or baseline. Got ${kind}.`);
