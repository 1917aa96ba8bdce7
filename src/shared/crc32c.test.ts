import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c, kafkajsCrc32cModule, useFastKafkaCrc32c } from './crc32c.ts';

const require = createRequire(import.meta.url);
// kafkajs's own byte-at-a-time implementation, the reference (its index.js is what gets replaced).
const reference = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (bytes: Buffer) => number;

describe('crc32c', () => {
  it('gives the standard check value of CRC-32C', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('equals the kafkajs checksum on buffers of every length modulo 8, at every offset', () => {
    const pool = randomBytes(5000);
    for (let length = 0; length < 300; length++) {
      const bytes = pool.subarray(length % 13, (length % 13) + length);
      expect(crc32c(bytes), `length ${length}`).toBe(reference(bytes));
    }
    expect(crc32c(pool)).toBe(reference(pool));
  });

  it('equals the kafkajs checksum on long buffers at every alignment, and on plain Uint8Arrays', () => {
    const pool = randomBytes(5000);
    for (let offset = 0; offset < 8; offset++)
      for (const length of [64, 65, 67, 70, 71, 72, 1000, 4093]) {
        const bytes = pool.subarray(offset, offset + length);
        expect(crc32c(bytes), `offset ${offset}, length ${length}`).toBe(reference(bytes));
        expect(crc32c(new Uint8Array(bytes)), `copy, length ${length}`).toBe(reference(bytes));
      }
  });

  it('is what kafkajs record batches are checksummed with once shared/kafka.ts is loaded', async () => {
    await import('./kafka.ts');
    expect(useFastKafkaCrc32c()).toBe(true);
    expect(require(kafkajsCrc32cModule)).toBe(crc32c);
    // The record-batch encoder picks the checksum up when it is first loaded.
    const encoderModule = require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js');
    expect(require.cache[encoderModule]).toBeUndefined();
  });
});
