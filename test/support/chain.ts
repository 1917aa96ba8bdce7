/**
 * Chain helpers for integration tests.
 *
 * Two kinds of chain:
 * - the shared Hardhat node of the run (`getStack().rpcHttp`, clients from `getSharedChain()`): fine
 *   for tests that only add blocks. Tests run in 2 workers at once, so on it send from a fresh
 *   account (`createFundedWallet()`): two workers sending from the same default account race for
 *   nonces. Never snapshot, revert or reorg it.
 * - a dedicated node per test file (`startTestChain()`, ~2 s): for anything that rewrites history
 *   (reorgs, evm_snapshot/evm_revert). Start it in `beforeAll`, `stop()` it in `afterAll`.
 *
 * Both automine: every transaction is mined at once in its own block. To make an ingest test see a
 * reorg of depth d: `const snap = await takeChainSnapshot(chain.testClient)`, produce d blocks (with
 * the transactions whose events must be removed), then `replaceSince(chain.testClient, snap)`; or
 * call `reorg(chain.testClient, { depth: d, orphanedTxs, txs })`, which does all of it.
 */
import {
  createDevChainClients,
  type DevChainClients,
  HARDHAT_CHAIN_ID,
  type RunTrafficParameters,
  runTraffic,
  startHardhat,
} from '../../src/dev-stack/index.ts';
import { getStack } from './stack.ts';

export {
  blockHashes,
  type ChainSnapshot,
  compileContracts,
  type DemoContracts,
  type DeployedContract,
  type DevTestClient,
  type DevWalletClient,
  demoErc20Abi,
  demoErc721Abi,
  demoErc1155Abi,
  deployDemoContracts,
  HARDHAT_MNEMONIC,
  hardhatAccounts,
  mine,
  type ReorgParameters,
  type ReorgResult,
  type ReplaceSinceParameters,
  type RunTrafficParameters,
  reorg,
  replaceSince,
  runTraffic,
  TRAFFIC_KINDS,
  type TrafficKind,
  type TrafficResult,
  takeChainSnapshot,
} from '../../src/dev-stack/index.ts';

/** viem clients for a chain plus its endpoints. */
/** Where {@link seededTraffic} sends: the chain's client, the accounts and the demo contracts. */
export type TrafficTarget = Pick<RunTrafficParameters, 'publicClient' | 'wallets' | 'contracts'>;

/** `count` demo transactions drawn from `seed`; the run with seed 1 first performs every kind once. */
export function seededTraffic(target: TrafficTarget, count: number, seed: number) {
  return runTraffic({ ...target, count, seed, everyKindFirst: seed === 1 });
}

export type TestChain = DevChainClients & {
  rpcHttp: string;
  rpcWs: string;
  chainId: number;
  /** Stops a dedicated node; a no-op for the shared chain. */
  stop(): Promise<void>;
};

/**
 * Starts a Hardhat node for this test file alone (chain 31337 unless `chainId` says otherwise, automine, the 20 default accounts)
 * and returns its clients. Use it whenever the test rewinds the chain.
 */
export async function startTestChain({ chainId }: { chainId?: number } = {}): Promise<TestChain> {
  const node = await startHardhat({ rpcHttp: null, chainId });
  return {
    ...createDevChainClients({ rpcHttp: node.rpcHttp, rpcWs: node.rpcWs, chainId: node.chainId }),
    rpcHttp: node.rpcHttp,
    rpcWs: node.rpcWs,
    chainId: node.chainId,
    stop: node.stop,
  };
}

/** Clients for the run's shared Hardhat node. Append-only use; see the note at the top of this file. */
export function getSharedChain(): TestChain {
  const { rpcHttp, rpcWs, chainId } = getStack();
  return {
    ...createDevChainClients({ rpcHttp, rpcWs, chainId: chainId || HARDHAT_CHAIN_ID }),
    rpcHttp,
    rpcWs,
    chainId,
    stop: async () => {},
  };
}
