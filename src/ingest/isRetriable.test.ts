import { createRequire } from 'node:module';
import { KafkaJSConnectionError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriable } from './isRetriable.ts';
import { toKafkaError } from './publisher/toKafkaError.ts';

// kafkajs's own factories: the protocol error a broker's error code becomes (with kafkajs's
// `retriable` flag for that code) and the retrier that wraps errors it refuses or gives up on.
const require = createRequire(import.meta.url);
const { createErrorFromCode } = require('kafkajs/src/protocol/error') as {
  createErrorFromCode(code: number): Error & { type: string; retriable: boolean };
};
const createRetry = require('kafkajs/src/retry') as (options: {
  retries: number;
  initialRetryTime?: number;
}) => (fn: () => Promise<unknown>) => Promise<unknown>;

const codes = {
  leaderNotAvailable: 5,
  brokerNotAvailable: 8,
  topicAuthorizationFailed: 29,
  invalidProducerEpoch: 47,
  saslAuthenticationFailed: 58,
};

/** The error kafkajs's retrier rejects with after running `fn` (which always fails with `error`). */
async function throughRetrier(error: Error): Promise<unknown> {
  return createRetry({ retries: 1, initialRetryTime: 1 })(async () => {
    throw error;
  }).catch((wrapped: unknown) => wrapped);
}

describe('isRetriable with kafkajs errors', () => {
  it('stops on errors kafkajs marks not retriable (authorization, authentication)', () => {
    const denied = createErrorFromCode(codes.topicAuthorizationFailed);
    expect(denied.retriable).toBe(false);
    expect(isRetriable(denied)).toBe(false);
    expect(isRetriable(createErrorFromCode(codes.saslAuthenticationFailed))).toBe(false);
  });

  it('retries errors kafkajs marks retriable', () => {
    expect(isRetriable(createErrorFromCode(codes.leaderNotAvailable))).toBe(true);
    expect(isRetriable(new KafkaJSConnectionError('Connection error: ECONNREFUSED'))).toBe(true);
  });

  it('reads the original error under the retrier: gave up on a network error → retriable', async () => {
    const wrapped = await throughRetrier(new KafkaJSConnectionError('Connection timeout'));
    expect((wrapped as Error).name).toBe('KafkaJSNumberOfRetriesExceeded');
    expect(isRetriable(wrapped)).toBe(true);
  });

  it('reads the original error under the retrier: refused an authorization failure → not retriable', async () => {
    const wrapped = await throughRetrier(createErrorFromCode(codes.topicAuthorizationFailed));
    expect((wrapped as Error).name).toBe('KafkaJSNonRetriableError');
    expect(isRetriable(wrapped)).toBe(false);
  });

  it('restarts on a broker that is not available, which a fresh connection resolves', () => {
    expect(isRetriable(createErrorFromCode(codes.brokerNotAvailable))).toBe(true);
  });

  it('stops on errors that are not kafkajs or blockwire errors (bugs)', () => {
    expect(isRetriable(new TypeError('Cannot read properties of undefined'))).toBe(false);
  });
});

describe('toKafkaError (the publisher boundary)', () => {
  it('turns a refused request into a non-retriable error naming the broker reason', async () => {
    const error = toKafkaError(
      await throughRetrier(createErrorFromCode(codes.topicAuthorizationFailed)),
      'Publishing up to block 7 failed',
    );
    expect(error).toMatchObject({ code: 'KAFKA_NOT_RETRIABLE', retriable: false });
    expect(error.message).toMatch(
      /^Publishing up to block 7 failed: Not authorized to access topics.*\(TOPIC_AUTHORIZATION_FAILED\)/,
    );
    expect(isRetriable(error)).toBe(false);
  });

  it('keeps broker and network trouble retriable', async () => {
    const error = toKafkaError(
      await throughRetrier(new KafkaJSConnectionError('Connection timeout')),
      'Starting a Kafka transaction failed',
    );
    expect(error).toMatchObject({ code: 'KAFKA_ERROR', retriable: true });
  });

  it('reports a fenced producer as retriable: the session restarts and the lock decides', () => {
    const error = toKafkaError(createErrorFromCode(codes.invalidProducerEpoch), 'Committing failed');
    expect(error).toMatchObject({ code: 'KAFKA_FENCED', retriable: true });
  });
});
