import { createPublicClient, type Log, webSocket } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../src/dev-stack/index.ts';
import {
  compileContracts,
  type DemoContracts,
  demoErc20Abi,
  demoErc721Abi,
  demoErc1155Abi,
  deployDemoContracts,
  getSharedChain,
} from '../support/chain.ts';

describe('demo contracts on the shared chain', () => {
  const chain = getSharedChain();
  let contracts: DemoContracts;

  beforeAll(async () => {
    // A fresh account: the other worker may be sending from the default ones.
    const deployer = await chain.createFundedWallet();
    contracts = await deployDemoContracts({ publicClient: chain.publicClient, walletClient: deployer });
  });

  it('keeps the typed ABIs in sync with the Solidity sources', () => {
    const artifacts = compileContracts();
    const strip = (abi: unknown) =>
      JSON.parse(JSON.stringify(abi), (key, value) => (key === 'internalType' ? undefined : value));
    expect(strip(artifacts.DemoERC20?.abi)).toEqual(strip(demoErc20Abi));
    expect(strip(artifacts.DemoERC721?.abi)).toEqual(strip(demoErc721Abi));
    expect(strip(artifacts.DemoERC1155?.abi)).toEqual(strip(demoErc1155Abi));
  });

  describe('over WebSocket', () => {
    // Node 20 has no global WebSocket: viem's socket comes from `isows`, which falls back to `ws`.
    const wsClient = createPublicClient({
      chain: chain.chain,
      transport: webSocket(chain.rpcWs, { retryCount: 0 }),
    });
    afterAll(async () => {
      const { socket } = await wsClient.transport.getRpcClient();
      socket.close();
    });

    it('delivers an ERC-20 Transfer log to watchContractEvent', async () => {
      const sender = await chain.createFundedWallet();
      const recipient = await chain.createFundedWallet();
      const received: Log[] = [];
      const unwatch = wsClient.watchContractEvent({
        address: contracts.erc20.address,
        abi: demoErc20Abi,
        eventName: 'Transfer',
        onLogs: (logs) => received.push(...logs),
      });
      try {
        const { erc20 } = contracts;
        await sender.writeContract({ ...erc20, functionName: 'mint', args: [sender.account.address, 1000n] });
        // watchContractEvent subscribes asynchronously and says nothing when eth_subscribe is in
        // place: send a transfer per attempt until one arrives, then check that one precisely.
        const sent: `0x${string}`[] = [];
        const logs = await waitFor(
          async () => {
            const match = received.filter(
              (log) => log.transactionHash !== null && sent.includes(log.transactionHash),
            );
            if (match.length > 0) return match;
            sent.push(
              await sender.writeContract({
                ...erc20,
                functionName: 'transfer',
                args: [recipient.account.address, 1n],
              }),
            );
            return undefined;
          },
          { description: 'Transfer log over WebSocket', timeoutMs: 20_000, intervalMs: 250 },
        );
        // Each transfer is delivered once.
        expect(new Set(logs.map((log) => log.transactionHash)).size).toBe(logs.length);
        expect(logs[0]).toMatchObject({
          eventName: 'Transfer',
          address: erc20.address,
          args: { from: sender.account.address, to: recipient.account.address, value: 1n },
        });
      } finally {
        unwatch();
      }
    });
  });
});
