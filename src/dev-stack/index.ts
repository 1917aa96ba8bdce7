import { createLogger } from '../shared/logger.ts';
import { type HardhatHandle, type StartHardhatParameters, startHardhat } from './hardhat.ts';
import { type KafkaHandle, type StartKafkaParameters, startKafka } from './kafka.ts';
import { type RedisHandle, type StartRedisParameters, startRedis } from './redis.ts';
import { createStackStateFile } from './stackStateFile.ts';

export { blockHashes } from './blockHashes.ts';
export {
  type CompileContractsParameters,
  type ContractArtifact,
  type ContractArtifacts,
  compileContracts,
} from './compileContracts.ts';
export { demoErc20Abi, demoErc721Abi, demoErc1155Abi } from './demoAbis.ts';
export {
  type DemoContracts,
  type DeployDemoContractsParameters,
  type DeployedContract,
  deployDemoContracts,
} from './demoContracts.ts';
export {
  type DeployDemoMarketParameters,
  demoMarketProjections,
  deployDemoMarket,
  type RunMarketActionParameters,
  runMarketAction,
} from './demoMarket.ts';
export {
  demoPairProjections,
  type RunPairActionParameters,
  type RunPairActionResult,
  runPairAction,
} from './demoPairs.ts';
export {
  createDevChainClients,
  type DevChainClients,
  type DevChainClientsParameters,
  type DevTestClient,
  type DevWalletClient,
  HARDHAT_ACCOUNT_COUNT,
  HARDHAT_MNEMONIC,
  hardhatAccounts,
} from './devChain.ts';
export {
  type CreateManyPairsParameters,
  type CreateManyPairsResult,
  createManyPairs,
  type DeployPairFactoryParameters,
  deployPairFactory,
  FACTORY_TRAFFIC_KINDS,
  type FactoryTrafficKind,
  type FactoryTrafficResult,
  type FactoryTrafficTransaction,
  MAX_PAIRS_PER_TRANSACTION,
  type PairFactoryContract,
  pairAbi,
  pairFactoryAbi,
  type ReadFactoryChildrenParameters,
  type RunFactoryTrafficParameters,
  readFactoryChildren,
  runFactoryTraffic,
} from './factoryContracts.ts';
export { freePort } from './freePort.ts';
export {
  fetchChainId,
  HARDHAT_CHAIN_ID,
  type HardhatHandle,
  type StartHardhatParameters,
  startHardhat,
} from './hardhat.ts';
export {
  isKafkaReachable,
  KAFKA_VERSION,
  type KafkaHandle,
  type KafkaNode,
  type StartKafkaParameters,
  startKafka,
} from './kafka.ts';
export { mine } from './mine.ts';
export { isRedisReachable, type RedisHandle, type StartRedisParameters, startRedis } from './redis.ts';
export {
  type RedisClusterHandle,
  type RedisClusterNode,
  type RedisClusterRole,
  type StartRedisClusterParameters,
  startRedisCluster,
} from './redisCluster.ts';
export { type ReorgParameters, reorg } from './reorg.ts';
export { type ReorgResult, type ReplaceSinceParameters, replaceSince } from './replaceSince.ts';
export { createStackStateFile, type StackState } from './stackStateFile.ts';
export { type ChainSnapshot, takeChainSnapshot } from './takeChainSnapshot.ts';
export {
  type RunTrafficParameters,
  runTraffic,
  TRAFFIC_KINDS,
  type TrafficKind,
  type TrafficResult,
  type TrafficTransaction,
} from './traffic.ts';
export { type WaitForParameters, waitFor } from './waitFor.ts';
export { isPortOpen, waitForPort } from './waitForPort.ts';

const log = createLogger('dev-stack');

/** Endpoints of a running local stack. Plain data, so it can be passed to test workers. */
export type DevStackInfo = {
  kafkaBrokers: string[];
  redisUrl: string;
  rpcHttp: string;
  rpcWs: string;
  chainId: number;
};

/** A running local stack; `stop()` stops only what this call started. */
export type DevStack = DevStackInfo & {
  /** Which services this call started (the others were found running). */
  started: { kafka: boolean; redis: boolean; hardhat: boolean };
  stop(): Promise<void>;
};

/** Parameters of {@link startDevStack}. */
export type StartDevStackParameters = {
  /** Cache, data and log folder. Default: `BLOCKWIRE_STACK_DIR` or `<repo>/.stack`. */
  stackDir?: string | undefined;
  kafka?: Omit<StartKafkaParameters, 'stackDir'> | undefined;
  redis?: Omit<StartRedisParameters, 'stackDir'> | undefined;
  hardhat?: Omit<StartHardhatParameters, 'stackDir'> | undefined;
  /** Skip the chain (e.g. a test run that only needs Kafka and Redis). Default false. */
  withoutChain?: boolean | undefined;
  /**
   * Use the services of a running `npm run stack:up` (recorded in `<stackDir>/stack.json`) when no
   * environment variable names others. Default true.
   */
  reuseRunning?: boolean | undefined;
};

/**
 * Brings up Kafka, Redis and a Hardhat dev chain, each only when a configured one
 * (`KAFKA_BROKERS`, `REDIS_URL`, `BLOCKWIRE_RPC_HTTP`) does not answer. Services start in parallel;
 * if one fails, the others this call started are stopped again before the error is thrown.
 */
export async function startDevStack(parameters: StartDevStackParameters = {}): Promise<DevStack> {
  const { stackDir } = parameters;
  const startedAt = Date.now();
  const running = parameters.reuseRunning === false ? undefined : createStackStateFile(stackDir).read();
  const results = await Promise.allSettled([
    startKafka({
      brokers: process.env.KAFKA_BROKERS ? undefined : running?.kafkaBrokers,
      ...parameters.kafka,
      stackDir,
    }),
    startRedis({ url: process.env.REDIS_URL ? undefined : running?.redisUrl, ...parameters.redis, stackDir }),
    parameters.withoutChain
      ? Promise.resolve(undefined)
      : startHardhat({
          ...(process.env.BLOCKWIRE_RPC_HTTP || !running
            ? {}
            : { rpcHttp: running.rpcHttp, rpcWs: running.rpcWs }),
          ...parameters.hardhat,
          stackDir,
        }),
  ]);
  const handles = results.flatMap((result) =>
    result.status === 'fulfilled' && result.value ? [result.value] : [],
  );
  const stopAll = async () => {
    await Promise.allSettled(handles.map((handle) => handle.stop()));
  };
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const [kafka, redis, hardhat] = results.map(
    (result) => (result as PromiseFulfilledResult<unknown>).value,
  ) as [KafkaHandle, RedisHandle, HardhatHandle | undefined];
  const stack: DevStack = {
    kafkaBrokers: kafka.brokers,
    redisUrl: redis.url,
    rpcHttp: hardhat?.rpcHttp ?? '',
    rpcWs: hardhat?.rpcWs ?? '',
    chainId: hardhat?.chainId ?? 0,
    started: { kafka: kafka.started, redis: redis.started, hardhat: hardhat?.started ?? false },
    stop: stopAll,
  };
  log.info({ msg: 'Local stack ready', ms: Date.now() - startedAt, started: stack.started });
  return stack;
}
