import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  encodeProducePayload,
  kafkajsProduceModule,
  type ProduceArguments,
  useFastKafkaProduceEncoding,
} from './kafkaProduceEncoder.ts';

const require = createRequire(import.meta.url);
// kafkajs as the roles load it (its checksum and encoder patched) before the reference is loaded.
await import('./kafka.ts');
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): never };

/**
 * Runs `load` and then forgets the modules it added to the require cache: test files that share the
 * cache (`--no-isolate`, as `npm run test:node-versions` runs them) still find the kafkajs modules that
 * load lazily unloaded (crc32c.test.ts checks that the record-batch encoder is).
 */
async function withoutNewModules<T>(load: () => T | Promise<T>): Promise<T> {
  const before = new Set(Object.keys(require.cache));
  try {
    return await load();
  } finally {
    for (const key of Object.keys(require.cache)) if (!before.has(key)) delete require.cache[key];
  }
}

// kafkajs's own Produce v3 request (versions 4 to 7 only change the version number): the reference.
const produceV3 = await withoutNewModules(
  () =>
    require('kafkajs/src/protocol/requests/produce/v3/request.js') as (args: ProduceArguments) => {
      encode(): Promise<{ buffer: Buffer }>;
    },
);

const now = 1_796_300_000_123;

async function reference(args: ProduceArguments): Promise<Buffer> {
  vi.spyOn(Date, 'now').mockReturnValue(now);
  return (await produceV3(args).encode()).buffer;
}

afterEach(() => vi.restoreAllMocks());

const event = (n: number) => JSON.stringify({ n, hash: `0x${'ab'.repeat(32)}`, text: 'x'.repeat(n % 300) });

describe('encodeProducePayload', () => {
  it('writes a transactional request of several topics and partitions byte for byte as kafkajs does', async () => {
    const args: ProduceArguments = {
      acks: -1,
      timeout: 30_000,
      transactionalId: 'blockwire-ingest-31337',
      producerId: Long.fromValue(4_294_967_311),
      producerEpoch: 7,
      compression: 0,
      topicData: [
        {
          topic: 'bw.events.confirmed',
          partitions: [
            {
              partition: 0,
              firstSequence: 1_234,
              messages: Array.from({ length: 150 }, (_, i) => ({
                key: `31337:0x${i}`,
                value: event(i),
                partition: 0,
              })),
            },
            { partition: 5, firstSequence: 0, messages: [{ key: '31337:0xbeef', value: event(70_000) }] },
          ],
        },
        {
          topic: 'bw.checkpoints',
          partitions: [
            { partition: 0, firstSequence: 9, messages: [{ key: 'chain:31337', value: '{"v":1}' }] },
          ],
        },
      ],
    };
    expect(encodeProducePayload(args, Long, now)).toEqual(await reference(args));
  });

  it('writes null keys and values, Buffers, multi-byte text, large records and headers as kafkajs does', async () => {
    const big = 'é'.repeat(40_000) + '🙂'.repeat(10_000);
    const args: ProduceArguments = {
      acks: 1,
      timeout: 5_000,
      transactionalId: null,
      producerId: -1,
      producerEpoch: 0,
      topicData: [
        {
          topic: 'tøpic',
          partitions: [
            {
              partition: 2,
              messages: [
                { key: null, value: 'plain' },
                { key: Buffer.from([0, 1, 2, 255]), value: Buffer.from(big) },
                { key: 'k', value: null },
                { key: undefined, value: big },
                {
                  key: 'traced',
                  value: event(3),
                  headers: {
                    traceparent: '00-abc-def-01',
                    tracestate: Buffer.from('a=b'),
                    multi: ['x', Buffer.from('yé')],
                  },
                },
                { key: 'k'.repeat(200), value: 'v'.repeat(16_384), headers: {} },
              ],
            },
          ],
        },
      ],
    };
    expect(encodeProducePayload(args, Long, now)).toEqual(await reference(args));
  });

  it('leaves compressed requests, message timestamps and values it does not know to kafkajs', () => {
    const base = (messages: ProduceArguments['topicData'][number]['partitions'][number]['messages']) => ({
      acks: -1,
      timeout: 1_000,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages }] }],
    });
    expect(encodeProducePayload({ ...base([{ value: 'a' }]), compression: 1 }, Long, now)).toBeUndefined();
    expect(
      encodeProducePayload(base([{ value: 'a', timestamp: '1700000000000' }]), Long, now),
    ).toBeUndefined();
    expect(encodeProducePayload(base([{ value: 42 }]), Long, now)).toBeUndefined();
    expect(encodeProducePayload(base([{ value: 'a', headers: { h: null } }]), Long, now)).toBeUndefined();
    expect(encodeProducePayload(base([]), Long, now)).toBeUndefined();
  });
});

describe('useFastKafkaProduceEncoding', () => {
  it('is in place once shared/kafka.ts is loaded and writes versions 3 to 7 as kafkajs does', async () => {
    expect(useFastKafkaProduceEncoding()).toBe(true);
    const produce = require(kafkajsProduceModule) as {
      protocol(parameters: {
        version: number;
      }): (args: ProduceArguments) => { request: { encode(): Promise<{ buffer: Buffer }> } };
    };
    const args: ProduceArguments = {
      acks: -1,
      timeout: 1_000,
      transactionalId: 'tx',
      producerId: 12,
      producerEpoch: 1,
      topicData: [
        {
          topic: 't',
          partitions: [{ partition: 0, firstSequence: 3, messages: [{ key: 'k', value: event(1) }] }],
        },
      ],
    };
    const expected = await reference(args);
    for (const version of [3, 4, 5, 6, 7]) {
      const encoded = await withoutNewModules(() => produce.protocol({ version })(args).request.encode());
      expect(encoded.buffer, `version ${version}`).toEqual(expected);
    }
    // A request the fast path leaves alone is kafkajs's.
    const timestamped = {
      ...args,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ value: 'a', timestamp: now }] }] }],
    };
    const encoded = await withoutNewModules(() =>
      produce.protocol({ version: 7 })(timestamped).request.encode(),
    );
    expect(encoded.buffer).toEqual(await reference(timestamped));
  });
});
