import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Abi, Address } from 'viem';
import type { DemoContracts, DevChainClients } from '../dev-stack/index.ts';

/** Parameters of {@link startDemoTraffic}. */
export type StartDemoTrafficParameters = {
  clients: DevChainClients;
  contracts: DemoContracts;
  /** A Market contract to trade on too (one marketplace transaction per round). */
  market?: { address: Address; abi: Abi } | undefined;
  /** A PairFactory to create pairs with and swap on too (one factory or pair transaction per round). */
  factory?: { address: Address } | undefined;
  confirmations: number;
  logger: Logger;
  /** Pause between transactions. Default 1000 ms. */
  intervalMs?: number;
  /** A reorg every this many transactions. Default 25. */
  reorgEvery?: number;
};

/**
 * Keeps demo traffic flowing (random token transactions between the default accounts, and a Market
 * and a PairFactory transaction per round when given) with an occasional shallow reorg, so
 * subscriptions visibly move. Returns a function that stops it.
 */
export function startDemoTraffic(parameters: StartDemoTrafficParameters): () => Promise<void> {
  const {
    clients,
    contracts,
    market,
    factory,
    confirmations,
    logger,
    intervalMs = 1000,
    reorgEvery = 25,
  } = parameters;
  const controller = new AbortController();
  const loop = (async () => {
    const { runTraffic, runMarketAction, runPairAction, reorg } = await import('../dev-stack/index.ts');
    const wallets = clients.walletClients.slice(1, 7);
    for (let round = 1; !controller.signal.aborted; round++) {
      try {
        if (round % reorgEvery === 0 && confirmations > 1) {
          const depth = 1 + (round % (confirmations - 1));
          const result = await reorg(clients.testClient, {
            depth,
            // The orphaned branch carries a transaction too, so subscribers see its events retracted.
            orphanedTxs: () =>
              runTraffic({
                publicClient: clients.publicClient,
                wallets,
                contracts,
                count: 1,
                seed: round * 13,
                everyKindFirst: false,
              }),
            txs: () =>
              runTraffic({
                publicClient: clients.publicClient,
                wallets,
                contracts,
                count: 1,
                seed: round * 7,
                everyKindFirst: false,
              }),
          });
          logger.info({ msg: 'Demo reorg', depth, fork_block: Number(result.forkBlockNumber) });
        } else {
          await runTraffic({
            publicClient: clients.publicClient,
            wallets,
            contracts,
            count: 1,
            seed: round,
            everyKindFirst: round === 1,
          });
          if (market)
            await runMarketAction({ publicClient: clients.publicClient, wallets, market, seed: round });
          if (factory)
            await runPairAction({
              publicClient: clients.publicClient,
              wallets,
              factory,
              token0: contracts.erc20.address,
              seed: round,
            });
        }
      } catch (error) {
        if (controller.signal.aborted) break;
        logger.warn({ msg: 'Demo transaction failed', err: error });
      }
      await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return async () => {
    controller.abort();
    await loop;
  };
}
