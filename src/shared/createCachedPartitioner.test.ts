import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createCachedPartitioner } from './createCachedPartitioner.ts';

const metadata = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('createCachedPartitioner', () => {
  it('puts every key on the partition the default partitioner picks, asked once or many times', () => {
    const cached = createCachedPartitioner();
    const reference = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7]) {
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 500; i++) {
          const key = `31337:0x${i.toString(16).padStart(40, '0')}`;
          for (const topic of ['a.events.confirmed', 'b.events.confirmed']) {
            const args = { topic, partitionMetadata: metadata(partitions), message: { key, value: 'x' } };
            expect(cached(args)).toBe(reference(args));
          }
        }
      }
    }
  });

  it('keeps an explicit partition', () => {
    const cached = createCachedPartitioner();
    const args = {
      topic: 't',
      partitionMetadata: metadata(6),
      message: { key: 'k', value: 'x', partition: 4 },
    };
    expect(cached(args)).toBe(4);
  });
});
