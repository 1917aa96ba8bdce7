import { createRequire } from 'node:module';

/** The kafkajs module of its protocol encoder (kafkajs 2.x), whose buffers grow as a request is written. */
export const kafkajsEncoderModule = 'kafkajs/src/protocol/encoder.js';

type KafkajsEncoder = { buf: Buffer; offset: number; ensureAvailable(length: number): void };
type KafkajsEncoderClass = { prototype: KafkajsEncoder; nextPowerOfTwo(value: number): number };

/**
 * Grows an encoder's buffer to the next power of two that holds `length` more bytes, like kafkajs, but
 * without zero-filling the new buffer: every byte up to `offset` is copied or written before it is
 * read (an encoder only ever exposes `buf.subarray(0, offset)`). kafkajs zero-fills each buffer it
 * grows into, and writes every record, record batch and request into a fresh encoder that grows from
 * 512 bytes, so a producer of large batches spent a sixth of its time clearing memory it then
 * overwrote.
 */
function ensureAvailable(this: KafkajsEncoder, length: number): void {
  if (this.offset + length <= this.buf.length) return;
  const grown = Buffer.allocUnsafe(
    (this.constructor as unknown as KafkajsEncoderClass).nextPowerOfTwo(this.offset + length),
  );
  this.buf.copy(grown, 0, 0, this.offset);
  this.buf = grown;
}

/**
 * Makes kafkajs's encoder grow its buffers without zero-filling them ({@link ensureAvailable}).
 * Returns whether it is in place: a kafkajs that lays out its files differently keeps its own growth,
 * which is slower but equally correct.
 */
export function useUnzeroedKafkaEncoderGrowth(): boolean {
  const require = createRequire(import.meta.url);
  let Encoder: KafkajsEncoderClass;
  try {
    Encoder = require(kafkajsEncoderModule) as KafkajsEncoderClass;
  } catch {
    return false;
  }
  if (
    typeof Encoder?.prototype?.ensureAvailable !== 'function' ||
    typeof Encoder.nextPowerOfTwo !== 'function'
  )
    return false;
  Encoder.prototype.ensureAvailable = ensureAvailable;
  return true;
}
