import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { kafkajsEncoderModule, useUnzeroedKafkaEncoderGrowth } from './kafkaEncoderGrowth.ts';

const require = createRequire(import.meta.url);

type Encoder = {
  buffer: Buffer;
  writeInt32(value: number): Encoder;
  writeString(value: string): Encoder;
  writeBytes(value: Buffer): Encoder;
  writeVarIntString(value: string): Encoder;
  writeEncoder(value: Encoder): Encoder;
};
type EncoderClass = { new (initialSize?: number): Encoder; prototype: { ensureAvailable: unknown } };

/** Writes the same mix of small and large values (crossing many growths) with a given encoder class. */
function encodeSample(Encoder: EncoderClass, seed: Buffer): Buffer {
  const inner = new Encoder();
  for (let i = 0; i < 200; i++) {
    inner.writeInt32(i).writeVarIntString(`event ${i} ${'x'.repeat(i * 7)}`);
    inner.writeBytes(seed.subarray(0, (i * 131) % seed.length));
  }
  return new Encoder().writeInt32(42).writeString('request').writeEncoder(inner).buffer;
}

describe('kafkajs encoder growth', () => {
  it('writes exactly the bytes of kafkajs own growth', () => {
    const Encoder = require(kafkajsEncoderModule) as EncoderClass;
    const original = Encoder.prototype.ensureAvailable;
    const seed = randomBytes(70_000);
    try {
      Encoder.prototype.ensureAvailable = original;
      const expected = encodeSample(Encoder, seed);
      expect(useUnzeroedKafkaEncoderGrowth()).toBe(true);
      expect(Encoder.prototype.ensureAvailable).not.toBe(original);
      expect(encodeSample(Encoder, seed).equals(expected)).toBe(true);
    } finally {
      Encoder.prototype.ensureAvailable = original;
    }
  });

  it('is in place once shared/kafka.ts is loaded', async () => {
    const Encoder = require(kafkajsEncoderModule) as EncoderClass;
    const original = Encoder.prototype.ensureAvailable;
    await import('./kafka.ts');
    expect(Encoder.prototype.ensureAvailable).not.toBe(original);
  });
});
