import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem';
import { StackError } from '../shared/errors/index.ts';
import { compileContracts } from './compileContracts.ts';
import { demoErc20Abi, demoErc721Abi, demoErc1155Abi } from './demoAbis.ts';

/**
 * A deployed contract: what a blockwire config entry needs (address, ABI, start block). Spread it
 * into viem calls (`{ ...contracts.erc20, functionName, args }`): it deliberately has no field that
 * viem reads as a call parameter (a `blockNumber` would pin gas estimation to the deploy block).
 */
export type DeployedContract<abi extends Abi = Abi> = {
  name: string;
  address: Address;
  abi: abi;
  /** Block that contains the deployment: the contract's `startBlock`. */
  startBlock: bigint;
  deployTransaction: Hex;
};

/** The three demo token contracts of `test/contracts`. */
export type DemoContracts = {
  erc20: DeployedContract<typeof demoErc20Abi>;
  erc721: DeployedContract<typeof demoErc721Abi>;
  erc1155: DeployedContract<typeof demoErc1155Abi>;
};

/** Parameters of {@link deployDemoContracts}. */
export type DeployDemoContractsParameters = {
  publicClient: PublicClient;
  /** Deployer; any funded account. */
  walletClient: WalletClient<Transport, Chain, Account>;
  /** Token name/symbol suffix, handy to tell deployments apart. Default none. */
  label?: string | undefined;
  /** Cache folder root for compiled artifacts. */
  stackDir?: string | undefined;
};

/**
 * Compiles (cached) and deploys DemoERC20, DemoERC721 and DemoERC1155, each in its own transaction,
 * and waits for the receipts. Every call deploys fresh contracts at new addresses, so tests sharing
 * one chain do not see each other's events.
 */
export async function deployDemoContracts(parameters: DeployDemoContractsParameters): Promise<DemoContracts> {
  const { publicClient, walletClient, label = '', stackDir } = parameters;
  const artifacts = compileContracts({ stackDir });
  const deploy = async <abi extends Abi>(name: string, abi: abi, args: readonly unknown[]) => {
    const artifact = artifacts[name];
    if (!artifact) throw new StackError(`Contract ${name} is missing from the compiled artifacts`);
    const hash = await walletClient.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new StackError(`Deploying ${name} failed (transaction ${hash})`);
    }
    return {
      name,
      address: receipt.contractAddress,
      abi,
      startBlock: receipt.blockNumber,
      deployTransaction: hash,
    } satisfies DeployedContract<abi>;
  };
  const suffix = label ? ` ${label}` : '';
  const erc20 = await deploy('DemoERC20', demoErc20Abi, [`Demo Token${suffix}`, 'DEMO']);
  const erc721 = await deploy('DemoERC721', demoErc721Abi, [`Demo NFT${suffix}`, 'DNFT']);
  const erc1155 = await deploy('DemoERC1155', demoErc1155Abi, []);
  return { erc20, erc721, erc1155 };
}
