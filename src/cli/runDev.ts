import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../shared/config/index.ts';
import type { ReadinessReport } from '../shared/role.ts';
import { runRoles } from './runRoles.ts';
import { startDemoTraffic } from './startDemoTraffic.ts';
import { writeDevConfig } from './writeDevConfig.ts';

/** Parameters of {@link runDev}. */
export type RunDevParameters = { configPath: string | undefined; traffic: boolean; logger: Logger };

const confirmations = 2;

/** How long the banner waits for every role to be ready before it is printed anyway. */
const readyWaitMs = 120_000;

/**
 * Resolves once every role is ready (what `/readyz` answers), so the banner is the last line of a
 * healthy start: the roles' start-up lines (topics, consumer group, rebuild) come before it. Resolves
 * false when they are not ready within {@link readyWaitMs} or the command stops.
 */
async function waitUntilReady(
  readiness: () => Promise<ReadinessReport>,
  stopped: AbortSignal,
): Promise<boolean> {
  const giveUpAt = Date.now() + readyWaitMs;
  while (!stopped.aborted && Date.now() < giveUpAt) {
    if ((await readiness()).ready) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** The lines `blockwire dev` prints once everything runs. */
function banner({
  gatewayUrl,
  configPath,
  ready,
}: {
  gatewayUrl: string | undefined;
  configPath: string;
  ready: boolean;
}): string {
  const base = gatewayUrl?.replace(/\/graphql$/, '') ?? '';
  return [
    '',
    ready
      ? 'blockwire is running.'
      : `blockwire is running, but not every role is ready yet: see ${base}/readyz.`,
    `  GraphiQL:   ${base}/graphql`,
    `  Dashboard:  ${base}/`,
    `  Metrics:    ${base}/metrics`,
    `  Config:     ${configPath}`,
    '',
    'Try this subscription in GraphiQL:',
    '  subscription { events(filter: { chainId: 31337 }) { __typename id status cursor blockNumber eventName } }',
    'and the state of the demo Market contract (docs/projections.md):',
    '  subscription { Market_ListingUpdated(chainId: 31337) { listingId deleted cursor entity { seller price active } } }',
    'and the pairs the demo PairFactory creates (docs/factories.md):',
    '  query { PairFactory_PairChildrenList(chainId: 31337) { items { pair createdAtBlock } } }',
    '',
    'Ctrl-C stops everything this command started.',
    '',
  ].join('\n');
}

/**
 * `blockwire dev`: brings up what is missing of Kafka, Redis and the Hardhat chain, deploys the demo
 * contracts (tokens, the Market, a PairFactory whose pairs are followed as its children), writes
 * their config, runs ingest, process and gateway in this process and keeps demo traffic (with an
 * occasional reorg) going until Ctrl-C, which stops everything it started.
 */
export async function runDev({ configPath, traffic, logger }: RunDevParameters): Promise<void> {
  const stackModule = await import('../dev-stack/index.ts');
  const { resolveStackDir } = await import('../dev-stack/paths.ts');
  process.stdout.write(
    'Starting the local stack (Kafka, Redis, Hardhat) — the first run downloads Kafka from Maven Central…\n',
  );
  const stack = await stackModule.startDevStack({});
  let stopTraffic: (() => Promise<void>) | undefined;
  try {
    const clients = stackModule.createDevChainClients({
      rpcHttp: stack.rpcHttp,
      rpcWs: stack.rpcWs,
      chainId: stack.chainId,
    });
    let path = configPath;
    if (!path) {
      const deployer = clients.walletClients[0]!;
      const contracts = await stackModule.deployDemoContracts({
        publicClient: clients.publicClient,
        walletClient: deployer,
      });
      const market = await stackModule.deployDemoMarket({
        publicClient: clients.publicClient,
        walletClient: deployer,
      });
      const factory = await stackModule.deployPairFactory({
        publicClient: clients.publicClient,
        walletClient: deployer,
      });
      const dir = join(resolveStackDir(), 'dev');
      path = join(dir, 'blockwire.yaml');
      mkdirSync(dir, { recursive: true });
      const abis = { Market: market.abi, PairFactory: factory.abi, Pair: stackModule.pairAbi };
      for (const [name, abi] of Object.entries(abis))
        writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(abi, null, 2)}\n`);
      writeDevConfig({
        path,
        chainId: stack.chainId,
        rpcHttp: stack.rpcHttp,
        rpcWs: stack.rpcWs,
        kafkaBrokers: stack.kafkaBrokers,
        redisUrl: stack.redisUrl,
        confirmations,
        runId: Date.now().toString(36),
        gatewayPort: Number(process.env.PORT ?? 4000),
        contracts: [
          {
            name: 'DemoToken',
            address: contracts.erc20.address,
            abi: 'erc20',
            startBlock: Number(contracts.erc20.startBlock),
          },
          {
            name: 'DemoNFT',
            address: contracts.erc721.address,
            abi: 'erc721',
            startBlock: Number(contracts.erc721.startBlock),
          },
          {
            name: 'DemoItems',
            address: contracts.erc1155.address,
            abi: 'erc1155',
            startBlock: Number(contracts.erc1155.startBlock),
          },
          {
            name: 'Market',
            address: market.address,
            abi: './Market.json',
            startBlock: Number(market.startBlock),
            projections: stackModule.demoMarketProjections,
          },
          {
            name: 'PairFactory',
            address: factory.address,
            abi: './PairFactory.json',
            startBlock: Number(factory.startBlock),
          },
          {
            name: 'Pair',
            abi: './Pair.json',
            factory: { contract: 'PairFactory', event: 'PairCreated', address: 'args.pair' },
            projections: stackModule.demoPairProjections,
          },
        ],
      });
      if (traffic) {
        stopTraffic = startDemoTraffic({
          clients,
          contracts,
          market,
          factory,
          confirmations,
          logger: logger.child({ component: 'demo-traffic' }),
        });
      }
    }
    const loaded = loadConfig(path);
    // The dev command is one process: gateway workers would each run the whole command again.
    if (loaded.gateway.workers > 1)
      logger.info({
        msg: 'blockwire dev runs one gateway process; gateway.workers applies to blockwire start',
      });
    const config = { ...loaded, gateway: { ...loaded.gateway, workers: 1 } };
    const stopping = new AbortController();
    const stopped = stopping.signal;
    await runRoles({
      config,
      roles: ['ingest', 'process', 'gateway'],
      logger,
      onStarted: ({ gatewayUrl, readiness }) => {
        void waitUntilReady(readiness, stopped).then((ready) => {
          if (!stopped.aborted) process.stdout.write(banner({ gatewayUrl, configPath: path, ready }));
        });
      },
      onShutdown: async () => {
        stopping.abort();
        await stopTraffic?.();
        stopTraffic = undefined;
        await stack.stop();
      },
    });
  } catch (error) {
    await stopTraffic?.();
    await stack.stop();
    throw error;
  }
}
