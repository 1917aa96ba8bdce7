import type { Logger } from 'pino';
import { startDemoTraffic } from './startDemoTraffic.ts';

/** Parameters of {@link runDemo}. */
export type RunDemoParameters = { rpcHttp: string; logger: Logger };

/**
 * `blockwire demo --rpc URL`: deploys the demo contracts on a dev chain (on a fresh Hardhat chain
 * they get the addresses of `docker/blockwire.compose.yaml`) and keeps demo traffic going until
 * SIGINT/SIGTERM. Used by docker-compose.yml, where the chain runs in its own container.
 */
export async function runDemo({ rpcHttp, logger }: RunDemoParameters): Promise<void> {
  const { createDevChainClients, deployDemoContracts, fetchChainId, waitFor } = await import(
    '../dev-stack/index.ts'
  );
  const chainId = await waitFor(() => fetchChainId(rpcHttp), {
    description: `the chain at ${new URL(rpcHttp).host}`,
    timeoutMs: 120_000,
  });
  const clients = createDevChainClients({ rpcHttp, chainId });
  const contracts = await deployDemoContracts({
    publicClient: clients.publicClient,
    walletClient: clients.walletClients[0]!,
  });
  process.stdout.write(
    `Demo contracts: DemoToken ${contracts.erc20.address}, DemoNFT ${contracts.erc721.address}, DemoItems ${contracts.erc1155.address}\n`,
  );
  const stop = startDemoTraffic({ clients, contracts, confirmations: 2, logger });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  logger.info({ msg: 'Stopping demo traffic' });
  await stop();
}
