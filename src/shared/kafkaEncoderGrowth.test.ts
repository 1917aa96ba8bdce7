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

/**
 * kafkajs's encoder as kafkajs ships it: its module evaluated afresh, whether or not the one kafkajs
 * uses (the cached one) was patched already, by this file or by another test file in this worker.
 */
function kafkajsOwnEncoder(): EncoderClass {
  const path = require.resolve(kafkajsEncoderModule);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as EncoderClass;
  } finally {
    if (cached) require.cache[path] = cached;
    else delete require.cache[path];
  }
}

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
  it("writes exactly the bytes of kafkajs's own growth", () => {
    const own = kafkajsOwnEncoder();
    expect(useUnzeroedKafkaEncoderGrowth()).toBe(true);
    const patched = require(kafkajsEncoderModule) as EncoderClass;
    expect(patched.prototype.ensureAvailable).not.toBe(own.prototype.ensureAvailable);
    const seed = randomBytes(70_000);
    expect(encodeSample(patched, seed).equals(encodeSample(own, seed))).toBe(true);
  });

  it('is in place once shared/kafka.ts is loaded', async () => {
    await import('./kafka.ts');
    const used = require(kafkajsEncoderModule) as EncoderClass;
    expect(used.prototype.ensureAvailable).not.toBe(kafkajsOwnEncoder().prototype.ensureAvailable);
  });
});
