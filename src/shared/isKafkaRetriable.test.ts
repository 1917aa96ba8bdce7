import { describe, expect, it } from 'vitest';
import { isKafkaRetriable } from './isKafkaRetriable.ts';

function kafkaError(name: string, retriable: boolean, cause?: unknown) {
  return Object.assign(new Error(name), { name, retriable, cause });
}

describe('isKafkaRetriable', () => {
  it("follows kafkajs's retriable flag", () => {
    expect(isKafkaRetriable(kafkaError('KafkaJSConnectionError', true))).toBe(true);
    expect(isKafkaRetriable(kafkaError('KafkaJSSASLAuthenticationError', false))).toBe(false);
  });

  it('judges exhausted kafkajs retries by the error that caused them', () => {
    const refused = kafkaError('KafkaJSConnectionError', true);
    const auth = kafkaError('KafkaJSSASLAuthenticationError', false);
    expect(isKafkaRetriable(kafkaError('KafkaJSNumberOfRetriesExceeded', false, refused))).toBe(true);
    expect(isKafkaRetriable(kafkaError('KafkaJSNumberOfRetriesExceeded', false, auth))).toBe(false);
  });

  it('does not retry errors that are not from kafkajs', () => {
    expect(isKafkaRetriable(new TypeError('x is undefined'))).toBe(false);
    expect(isKafkaRetriable(undefined)).toBe(false);
  });
});
