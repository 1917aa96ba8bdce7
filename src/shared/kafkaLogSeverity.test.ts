import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaLogSeverity, kafkaLogSeverity } from './kafkaLogSeverity.ts';

// Lines as kafkajs 2.2 logs them during a healthy start against a fresh broker (seen in `npm start`).
const warmUp = [
  {
    message: 'Response InitProducerId(key: 22, version: 1)',
    error: "The coordinator is loading and hence can't process requests for this group",
  },
  {
    message: 'Response GroupCoordinator(key: 10, version: 2)',
    error: 'The group coordinator is not available',
  },
  {
    message: 'Response OffsetFetch(key: 9, version: 4)',
    error: 'This is not the correct coordinator for this group',
  },
  {
    message: 'Response Metadata(key: 3, version: 6)',
    error: 'There is no leader for this topic-partition as we are in the middle of a leadership election',
  },
  {
    message: 'Response Produce(key: 0, version: 7)',
    error: 'This server is not the leader for that topic-partition',
  },
  { message: 'Could not create topics', error: 'This is not the correct controller for this cluster' },
  {
    message: 'Response AddPartitionsToTxn(key: 24, version: 1)',
    error: 'There is a newer producer with the same transactionalId which fences the current one',
  },
];

describe('kafkaLogSeverity', () => {
  it.each(warmUp.slice(0, 6))('logs the retried warm-up answer "$error" at debug', (entry) => {
    expect(kafkaLogSeverity(logLevel.ERROR, entry)).toBe('debug');
  });

  it('logs concurrent-transaction answers kafkajs retries at debug', () => {
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message:
          'Failed to send messages: The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      }),
    ).toBe('debug');
  });

  it('keeps a fenced producer at error level', () => {
    expect(kafkaLogSeverity(logLevel.ERROR, warmUp[6]!)).toBe('error');
  });

  it('keeps refused connections and crashes at error level', () => {
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message:
          'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9',
      }),
    ).toBe('error');
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message: 'Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing',
      }),
    ).toBe('error');
    expect(
      kafkaLogSeverity(logLevel.ERROR, {
        message: 'Response SaslAuthenticate(key: 36, version: 1)',
        error: 'Request is not valid given the current SASL state',
      }),
    ).toBe('error');
  });

  it('logs routine rebalances and the partitioner notice at debug, other warnings at warn', () => {
    expect(
      kafkaLogSeverity(logLevel.WARN, { message: 'The group is rebalancing, re-joining', groupId: 'g' }),
    ).toBe('debug');
    expect(
      kafkaLogSeverity(logLevel.WARN, {
        message: 'KafkaJS v2.0.0 switched default partitioner. To retain the same partitioning behavior…',
      }),
    ).toBe('debug');
    expect(kafkaLogSeverity(logLevel.WARN, { message: 'Consumer group received unsubscribed topics' })).toBe(
      'warn',
    );
  });

  it("keeps kafkajs's level for info and debug lines", () => {
    expect(kafkaLogSeverity(logLevel.INFO, { message: 'Consumer has joined the group' })).toBe('info');
    expect(kafkaLogSeverity(logLevel.DEBUG, { message: 'Request Metadata' })).toBe('debug');
  });

  it('writes the restart after a routine consumer crash at warn, after another crash at error', () => {
    const severityOf = createKafkaLogSeverity();
    const restart = { message: 'Restarting the consumer in 300ms', retryTime: 300, groupId: 'g' };
    expect(
      severityOf(logLevel.ERROR, {
        message: 'Crash: KafkaJSProtocolError: This server does not host this topic-partition',
        groupId: 'g',
      }),
    ).toBe('debug');
    expect(severityOf(logLevel.ERROR, restart)).toBe('warn');
    // Only the restart that follows it.
    expect(severityOf(logLevel.ERROR, restart)).toBe('error');
    expect(
      severityOf(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded: boom', groupId: 'g' }),
    ).toBe('error');
    expect(severityOf(logLevel.ERROR, restart)).toBe('error');
  });
});
