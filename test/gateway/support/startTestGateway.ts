import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createGateway, type Gateway } from '../../../src/gateway/index.ts';
import { loadConfig, type ResolvedConfig } from '../../../src/shared/config/index.ts';
import { randomId } from '../../support/random.ts';
import { getStack } from '../../support/stack.ts';
import { createTestProcessor, type TestProcessor } from './testProcessor.ts';

/** Path of the example config the schema is printed from. */
export const exampleConfigPath = fileURLToPath(new URL('../../../examples/blockwire.yaml', import.meta.url));

/** Addresses of the example contracts (lower-case). */
export const demo = {
  token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  nft: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  items: '0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0',
  vault: '0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9',
} as const;

/**
 * A gateway started on a random port with its own Redis key prefix, and `fake`: a test processor that
 * writes through the real apply script (see testProcessor.ts).
 */
export type TestGateway = {
  gateway: Gateway;
  config: ResolvedConfig;
  url: string;
  wsUrl: string;
  redis: Redis;
  fake: TestProcessor;
  stop(): Promise<void>;
};

/** Overrides of the example config's gateway section. */
export type TestGatewayOptions = {
  gateway?: Partial<Omit<ResolvedConfig['gateway'], 'limits'>>;
  limits?: Partial<ResolvedConfig['gateway']['limits']>;
  connectionInitWaitTimeout?: number;
  /** Changes the resolved config further (e.g. adds projections) before the gateway starts. */
  configure?: (config: ResolvedConfig) => ResolvedConfig;
};

/** The example config pointed at the test stack's Redis with a random key prefix and port 0. */
export function testConfig(options: TestGatewayOptions = {}): ResolvedConfig {
  const base = loadConfig(exampleConfigPath, { ...process.env, REDIS_URL: getStack().redisUrl });
  return {
    ...base,
    redis: { ...base.redis, keyPrefix: `${randomId('gw')}:` },
    gateway: {
      ...base.gateway,
      port: 0,
      maskErrors: false,
      ...options.gateway,
      limits: { ...base.gateway.limits, requestsPerMinute: 100_000, ...options.limits },
    },
  };
}

/** Starts a gateway for one test file; `stop()` also deletes its Redis keys. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const config = options.configure ? options.configure(testConfig(options)) : testConfig(options);
  const redis = new Redis(config.redis.url);
  const fake = createTestProcessor({ redis, config, chainId: 31337 });
  await fake.markReady();
  const gateway = createGateway({ config, connectionInitWaitTimeout: options.connectionInitWaitTimeout });
  const { url } = await gateway.start();
  return {
    gateway,
    config,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    redis,
    fake,
    async stop() {
      await gateway.stop();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redis.keyPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
