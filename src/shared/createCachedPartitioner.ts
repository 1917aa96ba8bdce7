import { type ICustomPartitioner, Partitioners } from 'kafkajs';

/** Keys remembered per producer before the cache starts over (a deployment has a few per contract). */
const maxCachedKeys = 100_000;

/**
 * kafkajs's default (Java-compatible murmur2) partitioner with the partition of each string key
 * remembered per topic and partition count: the same keys land on the same partitions as before,
 * without hashing the key again for every message (kafkajs's murmur2 does its arithmetic on `Long`
 * objects, a noticeable cost at tens of thousands of messages per second). Messages with an explicit
 * partition or without a string key go straight to the default partitioner.
 */
export const createCachedPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    if (typeof message.key !== 'string' || (message.partition !== undefined && message.partition !== null))
      return partitioner(args);
    const cacheKey = `${partitionMetadata.length}\u0000${topic}\u0000${message.key}`;
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const partition = partitioner(args);
    if (cache.size >= maxCachedKeys) cache.clear();
    cache.set(cacheKey, partition);
    return partition;
  };
};
