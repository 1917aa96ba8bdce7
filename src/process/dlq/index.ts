import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { processMetrics } from '../metrics.ts';

/**
 * One message that could not be applied, with where it came from and why. For one event of a packed
 * record (whose other events were applied), `value` is that event's JSON and `index` its position.
 */
export type DeadLetter = {
  message: KafkaMessage;
  topic: string;
  partition: number;
  reason: string;
  value?: Buffer | undefined;
  index?: number | undefined;
};

/** Writes unusable messages to `<prefix>.events.dlq` so their partition keeps moving. */
export type Dlq = { send(letters: DeadLetter[]): Promise<void> };

/** Parameters of {@link createDlq}. */
export type CreateDlqParameters = { producer: Producer; topic: string };

/** Header names of a dead letter (the contract with whoever inspects the DLQ). */
export const dlqHeaders = {
  reason: 'blockwire-reason',
  sourceTopic: 'blockwire-source-topic',
  sourcePartition: 'blockwire-source-partition',
  sourceOffset: 'blockwire-source-offset',
  /** Position of the event in its packed record (absent for a record of one event). */
  sourceIndex: 'blockwire-source-index',
} as const;

/**
 * Creates the DLQ writer; the raw key, value and headers are copied unchanged (for one event of a
 * packed record, the value is that event's JSON).
 */
export function createDlq({ producer, topic }: CreateDlqParameters): Dlq {
  return {
    async send(letters) {
      if (letters.length === 0) return;
      await producer.send({
        topic,
        messages: letters.map(({ message, topic: source, partition, reason, value, index }) => {
          const headers: IHeaders = {
            ...message.headers,
            [dlqHeaders.reason]: reason,
            [dlqHeaders.sourceTopic]: source,
            [dlqHeaders.sourcePartition]: String(partition),
            [dlqHeaders.sourceOffset]: message.offset,
          };
          if (index !== undefined) headers[dlqHeaders.sourceIndex] = String(index);
          return { key: message.key, value: value ?? message.value, headers };
        }),
      });
      for (const letter of letters) processMetrics.dlq.inc({ topic: letter.topic });
    },
  };
}
