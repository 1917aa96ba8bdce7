import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type HttpTransport,
  http,
  type PublicClient,
  parseEther,
  publicActions,
  type Transport,
  type WalletClient,
} from 'viem';
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { fetchRetryingClosedSocket } from './fetchRetryingClosedSocket.ts';
import { HARDHAT_CHAIN_ID } from './hardhat.ts';

/** Mnemonic of Hardhat's default accounts ("test test … junk"); every account holds 10 000 ETH. */
export const HARDHAT_MNEMONIC = 'test test test test test test test test test test test junk';

/** Number of funded default accounts the dev chain is configured with. */
export const HARDHAT_ACCOUNT_COUNT = 20;

/** A wallet client bound to one local account and the dev chain. */
export type DevWalletClient = WalletClient<Transport, Chain, Account>;

/** Parameters of {@link createDevChainClients}. */
export type DevChainClientsParameters = {
  rpcHttp: string;
  /** Advertised in the chain definition for clients that want WebSocket. */
  rpcWs?: string | undefined;
  chainId?: number | undefined;
  /** Polling interval of the public client. Default 100 ms (the chain is local). */
  pollingInterval?: number | undefined;
};

/** viem clients for the dev chain. */
export type DevChainClients = ReturnType<typeof createDevChainClients>;

/** Test client in Hardhat mode with public actions: mine, snapshot, revert, getBlock … */
export type DevTestClient = DevChainClients['testClient'];

let defaultAccounts: Account[] | undefined;

/** The 20 default Hardhat accounts (derived once, then cached). */
export function hardhatAccounts(): Account[] {
  defaultAccounts ??= Array.from({ length: HARDHAT_ACCOUNT_COUNT }, (_, addressIndex) =>
    mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex }),
  );
  return defaultAccounts;
}

/**
 * Creates viem clients for a Hardhat dev chain: a public client, a test client (Hardhat mode, with
 * public actions) and one wallet client per default account, plus `createFundedWallet()` for a fresh
 * random account. Fresh accounts matter on the shared chain: two test workers sending from the same
 * default account race for nonces.
 */
export function createDevChainClients(parameters: DevChainClientsParameters) {
  const { rpcHttp, rpcWs, chainId = HARDHAT_CHAIN_ID, pollingInterval = 100 } = parameters;
  const chain = defineChain({
    id: chainId,
    name: 'blockwire dev chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcHttp], ...(rpcWs ? { webSocket: [rpcWs] } : {}) } },
  });
  const transport: HttpTransport = http(rpcHttp, { retryCount: 0, fetchFn: fetchRetryingClosedSocket });
  // cacheTime 0: with automine every transaction moves the head; a cached block number would lag.
  const publicClient: PublicClient = createPublicClient({ chain, transport, pollingInterval, cacheTime: 0 });
  const testClient = createTestClient({
    chain,
    transport,
    mode: 'hardhat',
    pollingInterval,
    cacheTime: 0,
  }).extend(publicActions);
  const walletFor = (account: Account): DevWalletClient =>
    createWalletClient({ account, chain, transport, pollingInterval, cacheTime: 0 });
  const walletClients = hardhatAccounts().map(walletFor);
  return {
    chain,
    publicClient,
    testClient,
    /** One wallet client per default Hardhat account (index 0 … 19). */
    walletClients,
    /** Creates a wallet for a new random account funded with `ether` (default 1 000) ETH. */
    async createFundedWallet(ether = '1000'): Promise<DevWalletClient> {
      const account = privateKeyToAccount(generatePrivateKey());
      await testClient.setBalance({ address: account.address, value: parseEther(ether) });
      return walletFor(account);
    },
  };
}
