import type { TestProject } from 'vitest/node';
import { type DevStackInfo, startDevStack } from '../../src/dev-stack/index.ts';

/** Endpoints of the shared local stack, handed to every integration test via `inject('stack')`. */
export type StackInfo = DevStackInfo;

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
  }
}

/**
 * Brings Kafka, Redis and one shared Hardhat node up once for the whole integration run (each only
 * when `KAFKA_BROKERS` / `REDIS_URL` / `BLOCKWIRE_RPC_HTTP` do not answer) and stops only what it
 * started when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  const stack = await startDevStack();
  const info: StackInfo = {
    kafkaBrokers: stack.kafkaBrokers,
    redisUrl: stack.redisUrl,
    rpcHttp: stack.rpcHttp,
    rpcWs: stack.rpcWs,
    chainId: stack.chainId,
  };
  project.provide('stack', info);
  const started = Object.entries(stack.started)
    .map(([service, yes]) => `${service}=${yes ? 'started' : 'reused'}`)
    .join(' ');
  console.log(
    `[stack] ready in ${Date.now() - startedAt} ms: kafka ${info.kafkaBrokers.join(',')} redis ${info.redisUrl} chain ${info.rpcHttp} (${started})`,
  );
  return async () => {
    const stoppingAt = Date.now();
    await stack.stop();
    console.log(`[stack] stopped in ${Date.now() - stoppingAt} ms`);
  };
}
