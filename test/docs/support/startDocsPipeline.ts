import { hardhatAccounts } from '../../../src/dev-stack/index.ts';
import { createGateway } from '../../../src/gateway/index.ts';
import { createIngest } from '../../../src/ingest/index.ts';
import { createProcessor } from '../../../src/process/index.ts';
import { parseConfig } from '../../../src/shared/config/index.ts';
import { createLogger } from '../../../src/shared/logger.ts';
import type { TestChain } from '../../support/chain.ts';
import { randomId } from '../../support/random.ts';
import { getStack } from '../../support/stack.ts';

const repo = new URL('../../../', import.meta.url).pathname;

/**
 * Sends empty transfers from Hardhat account #0 until its next transaction has nonce `nonce`, so a
 * deployment that follows lands at the address a fresh Hardhat chain gives that nonce (the address
 * examples/blockwire.yaml writes). Throws when the account is past it: the chain is not fresh.
 */
export async function advanceDeployerNonce(chain: TestChain, nonce: number): Promise<void> {
  const deployer = chain.walletClients[0]!;
  const { publicClient } = chain;
  const current = await publicClient.getTransactionCount({ address: deployer.account.address });
  if (current > nonce)
    throw new Error(`account #0 has sent ${current} transactions, more than ${nonce}: is the chain fresh?`);
  for (let sent = current; sent < nonce; sent++) {
    const hash = await deployer.sendTransaction({ to: hardhatAccounts()[0]!.address, value: 0n });
    await publicClient.waitForTransactionReceipt({ hash });
  }
}

/** Parameters of {@link startDocsPipeline}. */
export type StartDocsPipelineParameters = {
  chain: TestChain;
  confirmations: number;
  /** Contract entries of the chain as a config file writes them; ABI paths relative to the repository. */
  contracts: unknown[];
};

/** A running docs pipeline. */
export type DocsPipeline = {
  graphqlUrl: string;
  stop(): Promise<void>;
};

/**
 * Runs ingest → process → gateway in this process on `chain` with `contracts`, a random topic
 * prefix, consumer group and Redis key prefix, the gateway on a free port with errors unmasked.
 */
export async function startDocsPipeline({
  chain,
  confirmations,
  contracts,
}: StartDocsPipelineParameters): Promise<DocsPipeline> {
  const stack = getStack();
  const id = randomId('docs');
  const config = parseConfig({
    raw: {
      chains: [
        {
          chainId: chain.chainId,
          rpc: { http: chain.rpcHttp, ws: chain.rpcWs },
          confirmations,
          pollIntervalMs: 200,
          contracts,
        },
      ],
      kafka: { brokers: stack.kafkaBrokers, topicPrefix: id, partitions: 1 },
      redis: { url: stack.redisUrl, keyPrefix: `${id}:` },
      process: { groupId: `${id}.process` },
      gateway: { port: 0, maskErrors: false },
    },
    baseDir: repo,
  });
  const logger = createLogger('docs', { test: id });
  const stops: (() => Promise<void>)[] = [];
  try {
    const processor = createProcessor({ config, logger });
    await processor.start();
    stops.push(() => processor.stop());
    const ingest = createIngest({ config, logger });
    await ingest.start();
    stops.push(() => ingest.stop());
    const gateway = createGateway({ config, logger });
    const { url } = await gateway.start();
    stops.push(() => gateway.stop());
    return {
      graphqlUrl: url,
      async stop() {
        for (const stop of stops.reverse()) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}
