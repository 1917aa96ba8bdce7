import { createRequire } from 'node:module';
import { crc32c } from './crc32c.ts';

/** The kafkajs module of the Produce request's versions (kafkajs 2.x). */
export const kafkajsProduceModule = 'kafkajs/src/protocol/requests/produce/index.js';
const kafkajsEncoderModule = 'kafkajs/src/protocol/encoder.js';
const kafkajsLongModule = 'kafkajs/src/utils/long.js';

/** What the kafkajs encoder offers that this file uses. */
type KafkajsEncoder = { buf: Buffer; offset: number };
type KafkajsLong = { getHighBits(): number; getLowBits(): number };
type LongClass = { fromValue(value: unknown): KafkajsLong };

/** A message as a kafkajs producer hands it to the Produce request. */
type ProduceMessage = {
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown> | undefined;
  timestamp?: unknown;
};
type ProducePartition = { partition: number; firstSequence?: number; messages: ProduceMessage[] };
/** The arguments of kafkajs's Produce request (versions 3 to 7 share the layout). */
export type ProduceArguments = {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: { topic: string; partitions: ProducePartition[] }[];
};
type ProduceRequest = { encode(): Promise<KafkajsEncoder> };
type ProduceBuilder = (args: ProduceArguments) => { request: ProduceRequest; response: unknown };
type ProduceModule = {
  versions: string[];
  protocol(parameters: { version: number }): ProduceBuilder | undefined;
};

/** Magic byte of the v2 record batch format (Kafka 0.11+), what kafkajs writes. */
const magicByte = 2;
/** Attribute bit of a record batch written inside a transaction. */
const transactionalBit = 16;
/** Fixed bytes of a record batch body before its records (attributes … record count). */
const batchBodyHeader = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Bytes of a record batch before its body: first offset, length, leader epoch, magic, CRC. */
const batchHeader = 8 + 4 + 4 + 1 + 4;

const zigZag = (value: number): number => (value << 1) ^ (value >> 31);

function sizeOfUVarInt(value: number): number {
  let bytes = 1;
  let rest = value;
  while ((rest & 0xffffff80) !== 0) {
    bytes++;
    rest >>>= 7;
  }
  return bytes;
}

const sizeOfVarInt = (value: number): number => sizeOfUVarInt(zigZag(value));

/** A key, value or header value as kafkajs writes it: null, or its UTF-8 (string) or raw (Buffer) bytes. */
type Bytes = { text: string; length: number } | { raw: Buffer; length: number } | null;

function bytesOf(value: unknown): Bytes | undefined {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return { text: value, length: Buffer.byteLength(value, 'utf8') };
  if (Buffer.isBuffer(value)) return { raw: value, length: value.length };
  return undefined;
}

/** Bytes of a varint-prefixed field (-1 for null). */
const sizeOfVarIntBytes = (bytes: Bytes): number =>
  bytes === null ? sizeOfVarInt(-1) : sizeOfVarInt(bytes.length) + bytes.length;

type PlannedRecord = { body: number; key: Bytes; value: Bytes; headers: [Bytes, Bytes][] };
type PlannedPartition = { partition: number; firstSequence: number; records: PlannedRecord[]; body: number };
type PlannedTopic = { topic: Bytes; partitions: PlannedPartition[] };

/**
 * The sizes and fields of a Produce request, or undefined when it is not the plain case written here:
 * no compression, no message timestamps, keys and values and header values that are strings, Buffers
 * (or null keys and values). kafkajs's own encoder writes everything else.
 */
function plan(args: ProduceArguments): { topics: PlannedTopic[]; size: number } | undefined {
  if ((args.compression ?? 0) !== 0) return undefined;
  const transactionalId = bytesOf(args.transactionalId);
  if (transactionalId === undefined || (transactionalId && !('text' in transactionalId))) return undefined;
  let size = 2 + (transactionalId?.length ?? 0) + 2 + 4 + 4;
  const topics: PlannedTopic[] = [];
  for (const data of args.topicData) {
    const topic = bytesOf(data.topic);
    if (!topic || !('text' in topic)) return undefined;
    size += 2 + topic.length + 4;
    const partitions: PlannedPartition[] = [];
    for (const { partition, firstSequence = 0, messages } of data.partitions) {
      if (!Array.isArray(messages)) return undefined;
      if (messages.length === 0) return undefined;
      const records: PlannedRecord[] = [];
      let body = batchBodyHeader;
      for (let i = 0; i < messages.length; i++) {
        const message = messages[i]!;
        if (message.timestamp != null) return undefined;
        const key = bytesOf(message.key);
        const value = bytesOf(message.value);
        if (key === undefined || value === undefined) return undefined;
        const headers: [Bytes, Bytes][] = [];
        let headersSize = 0;
        if (message.headers) {
          for (const name of Object.keys(message.headers)) {
            const given = message.headers[name];
            for (const one of Array.isArray(given) ? given : [given]) {
              const headerValue = bytesOf(one);
              if (!headerValue) return undefined;
              const headerKey = bytesOf(name)!;
              headers.push([headerKey, headerValue]);
              headersSize += sizeOfVarIntBytes(headerKey) + sizeOfVarIntBytes(headerValue);
            }
          }
        }
        headersSize += sizeOfVarInt(headers.length);
        // Attributes, timestamp delta (0: no timestamps), offset delta, key, value, headers.
        const recordBody =
          1 + 1 + sizeOfVarInt(i) + sizeOfVarIntBytes(key) + sizeOfVarIntBytes(value) + headersSize;
        records.push({ body: recordBody, key, value, headers });
        body += sizeOfVarInt(recordBody) + recordBody;
      }
      partitions.push({ partition, firstSequence, records, body });
      size += 4 + 4 + batchHeader + body;
    }
    topics.push({ topic, partitions });
  }
  return { topics, size };
}

/** Writes into one buffer allocated once at the request's size. */
class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8(value: number): void {
    this.buf.writeInt8(value, this.offset);
    this.offset += 1;
  }
  int16(value: number): void {
    this.buf.writeInt16BE(value, this.offset);
    this.offset += 2;
  }
  int32(value: number): void {
    this.buf.writeInt32BE(value, this.offset);
    this.offset += 4;
  }
  int64(value: KafkajsLong): void {
    this.buf.writeInt32BE(value.getHighBits(), this.offset);
    this.buf.writeInt32BE(value.getLowBits(), this.offset + 4);
    this.offset += 8;
  }
  uvarint(value: number): void {
    let rest = value;
    while ((rest & 0xffffff80) !== 0) {
      this.buf[this.offset++] = (rest & 0x7f) | 0x80;
      rest >>>= 7;
    }
    this.buf[this.offset++] = rest & 0x7f;
  }
  varint(value: number): void {
    this.uvarint(zigZag(value));
  }
  raw(bytes: NonNullable<Bytes>): void {
    if ('text' in bytes) this.buf.write(bytes.text, this.offset, bytes.length, 'utf8');
    else bytes.raw.copy(this.buf, this.offset);
    this.offset += bytes.length;
  }
  /** A nullable string: int16 length, then its bytes. */
  string(bytes: Bytes): void {
    if (bytes === null) {
      this.int16(-1);
      return;
    }
    this.int16(bytes.length);
    this.raw(bytes);
  }
  varintBytes(bytes: Bytes): void {
    if (bytes === null) {
      this.varint(-1);
      return;
    }
    this.varint(bytes.length);
    this.raw(bytes);
  }
}

/**
 * Writes the payload of a Produce request (versions 3 to 7) the way kafkajs does, byte for byte, in
 * one buffer of the request's exact size. kafkajs writes every record, record batch, partition, topic
 * and request into an encoder of its own that grows from 512 bytes by powers of two and is then
 * copied into the next: each byte of a large send was allocated about a dozen times and copied about
 * nine, and those allocations outside the heap made V8 collect garbage several times a second under a
 * backfill. Returns undefined when the request is not the plain case (see {@link plan}).
 */
export function encodeProducePayload(
  args: ProduceArguments,
  Long: LongClass,
  now: number = Date.now(),
): Buffer | undefined {
  const planned = plan(args);
  if (!planned) return undefined;
  const out = new Writer(Buffer.allocUnsafe(planned.size));
  const transactional = args.transactionalId != null && args.transactionalId !== '';
  const timestamp = Long.fromValue(now);
  const producerId = Long.fromValue(args.producerId === undefined ? -1 : args.producerId);
  const zero = Long.fromValue(0);
  out.string(bytesOf(args.transactionalId) ?? null);
  out.int16(args.acks);
  out.int32(args.timeout);
  out.int32(planned.topics.length);
  for (const { topic, partitions } of planned.topics) {
    out.string(topic);
    out.int32(partitions.length);
    for (const { partition, firstSequence, records, body } of partitions) {
      out.int32(partition);
      // The record set: first offset, the batch's length, then the batch.
      out.int32(batchHeader + body);
      out.int64(zero);
      out.int32(4 + 1 + 4 + body);
      out.int32(0);
      out.int8(magicByte);
      const crcAt = out.offset;
      out.offset += 4;
      const bodyStart = out.offset;
      out.int16(transactional ? transactionalBit : 0);
      out.int32(records.length - 1);
      out.int64(timestamp);
      out.int64(timestamp);
      out.int64(producerId);
      out.int16(args.producerEpoch === undefined ? 0 : args.producerEpoch);
      out.int32(firstSequence);
      out.int32(records.length);
      for (let i = 0; i < records.length; i++) {
        const record = records[i]!;
        out.varint(record.body);
        out.int8(0);
        out.uvarint(0);
        out.varint(i);
        out.varintBytes(record.key);
        out.varintBytes(record.value);
        out.varint(record.headers.length);
        for (const [key, value] of record.headers) {
          out.varintBytes(key);
          out.varintBytes(value);
        }
      }
      out.buf.writeUInt32BE(crc32c(out.buf.subarray(bodyStart, out.offset)), crcAt);
    }
  }
  if (out.offset !== planned.size)
    throw new Error(`Produce request sized ${planned.size} bytes, wrote ${out.offset}`);
  return out.buf;
}

/**
 * Makes kafkajs write Produce requests with {@link encodeProducePayload}, falling back to its own
 * encoder for what that does not write. Returns whether it is in place: a kafkajs that lays out its
 * files differently keeps its own encoder, which is slower but equally correct.
 */
export function useFastKafkaProduceEncoding(): boolean {
  const require = createRequire(import.meta.url);
  let produce: ProduceModule;
  let Encoder: new () => KafkajsEncoder;
  let Long: LongClass;
  try {
    produce = require(kafkajsProduceModule) as ProduceModule;
    Encoder = require(kafkajsEncoderModule) as new () => KafkajsEncoder;
    Long = require(kafkajsLongModule) as LongClass;
  } catch {
    return false;
  }
  if (typeof produce?.protocol !== 'function' || typeof Long?.fromValue !== 'function') return false;
  if ((produce.protocol as { fast?: boolean }).fast) return true;
  const original = produce.protocol;
  const protocol = (parameters: { version: number }): ProduceBuilder | undefined => {
    const build = original(parameters);
    if (!build || parameters.version < 3) return build;
    return (args) => {
      const built = build(args);
      const encode = built.request.encode;
      built.request.encode = async () => {
        const payload = encodeProducePayload(args, Long);
        if (!payload) return encode();
        const encoder = new Encoder();
        encoder.buf = payload;
        encoder.offset = payload.length;
        return encoder;
      };
      return built;
    };
  };
  produce.protocol = Object.assign(protocol, { fast: true });
  return true;
}
