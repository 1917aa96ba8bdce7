import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import kafkajs, { type Admin, type Kafka, type Message, type Producer } from 'kafkajs';
import {
  type ChainEvent,
  checkpointKey,
  encodeEvent,
  encodeEventRecord,
  eventKey,
  type TopicNames,
} from '../../domain/index.ts';
import { createCachedPartitioner } from '../../shared/createCachedPartitioner.ts';
import { kafkaErrorCause } from '../../shared/kafka.ts';
import type { Logger } from '../../shared/logger.ts';
import { activeTracing, spanAttributes, spanNames } from '../../shared/telemetry/index.ts';
import { encodeIngestCheckpoint, type IngestCheckpoint } from '../checkpoint/ingestCheckpoint.ts';
import type { ChildMessage } from '../factory/createFactoryFollower.ts';
import { ingestMetrics } from '../metrics.ts';
import { toKafkaError } from './toKafkaError.ts';

/** Parameters of {@link createPublisher}. */
export type CreatePublisherParameters = {
  kafka: Kafka;
  topics: TopicNames;
  chainId: number;
  transactionalId: string;
  /**
   * Most events of one contract packed into one `events.confirmed` record (1: one event per record,
   * every record a `v: 1` message). Default {@link defaultEventsPerRecord}.
   */
  eventsPerRecord?: number | undefined;
  logger: Logger;
};

/** Default of {@link CreatePublisherParameters.eventsPerRecord} (and of the config's `kafka.eventsPerRecord`). */
export const defaultEventsPerRecord = 100;

/**
 * An event already encoded as its Kafka message, with what the publisher and a backfill still need
 * to know about it. A backfill holds several ranges while earlier ones are published: one string per
 * event is much less for the garbage collector to copy around than the decoded objects, and its bytes
 * outside the heap ({@link encodeForBackfill}) less still.
 */
export type EncodedEvent = {
  blockNumber: number;
  status: ChainEvent['status'];
  decoded: boolean;
  key: string;
  /** The event's JSON, as text or as its UTF-8 bytes. */
  value: string | Buffer;
};

/** Kafka keys by chain and address: every event of a contract shares one string. */
const keys = new Map<number, Map<string, string>>();
const maxKeysPerChain = 100_000;

function keyOf(chainId: number, address: string): string {
  let byAddress = keys.get(chainId);
  if (!byAddress) {
    byAddress = new Map();
    keys.set(chainId, byAddress);
  }
  let key = byAddress.get(address);
  if (key === undefined) {
    if (byAddress.size >= maxKeysPerChain) byAddress.clear();
    key = eventKey(chainId, address);
    byAddress.set(address, key);
  }
  return key;
}

/** Encodes an event as its `events.confirmed` / `events.pending` message. */
export function encodeForKafka(event: ChainEvent): EncodedEvent {
  return {
    blockNumber: event.blockNumber,
    status: event.status,
    decoded: event.decoded,
    key: keyOf(event.chainId, event.address),
    value: encodeEvent(event),
  };
}

/**
 * {@link encodeForKafka} with the JSON as UTF-8 bytes, for the events a backfill holds until their
 * range's turn to be published. A young-generation collection copies every string still alive, and a
 * backfill keeps tens of thousands of events waiting while earlier ranges are published: held as text
 * they made each collection copy tens of megabytes (a fifth of the ingestor's time went to garbage
 * collection). Bytes outside the heap are not copied; the publisher packs and sends them as they are.
 */
export function encodeForBackfill(event: ChainEvent): EncodedEvent {
  const encoded = encodeForKafka(event);
  encoded.value = Buffer.from(encoded.value as string, 'utf8');
  return encoded;
}

/** One Kafka transaction: events for `events.confirmed` in order, then the checkpoint. */
export type ConfirmedBatch = {
  events: readonly ChainEvent[] | readonly EncodedEvent[];
  checkpoint: IngestCheckpoint;
  /** Records of the compacted children topic (children the events create or retract). */
  children?: readonly ChildMessage[] | undefined;
};

/** Writes a chain's events to Kafka. */
export type Publisher = {
  /** Connects and fences older producers with the same transactional id (aborting their open transaction). */
  connect(): Promise<void>;
  /** Publishes events + checkpoint atomically. On failure the outcome is unknown: reconnect and re-read the checkpoint. */
  publishConfirmed(batch: ConfirmedBatch): Promise<void>;
  /** Publishes PENDING/REMOVED notices to `events.pending` (at least once, outside transactions). */
  publishPending(events: ChainEvent[]): Promise<void>;
  disconnect(): Promise<void>;
};

/**
 * How much one send (one produce request) carries: at most `records` messages and `bytes` of keys,
 * values and headers, so every partition's record batch stays under the broker's `message.max.bytes` (1 MB by
 * default). Larger sends mean fewer round trips per transaction: a bare kafkajs producer writes about
 * 1.3 times as many records per second in sends of 1,000 as in sends of 500 (`npm run bench:ingest`).
 * Past 1,000 records kafkajs's grouping of a send's messages by partition, which copies the list
 * once per message, costs more than the round trip saved.
 */
export type SendLimits = { records: number; bytes: number };

/** Limits under a topic that keeps the broker's default `max.message.bytes`. */
export const defaultSendLimits: SendLimits = { records: 1_000, bytes: 900_000 };

/** Per-record overhead of the record batch format, beyond key and value (varints, attributes, deltas). */
const recordOverhead = 24;

const sizeOf = (field: Message['key'] | Message['value']): number =>
  field == null ? 0 : typeof field === 'string' ? Buffer.byteLength(field) : field.length;

/** Bytes of a message's headers (trace context when tracing is on). */
function headersSize(headers: Message['headers']): number {
  if (!headers) return 0;
  let size = 0;
  for (const [key, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const one of values) size += Buffer.byteLength(key) + sizeOf(one as Message['value']) + 2;
  }
  return size;
}

/**
 * Cuts `messages` into consecutive chunks within `limits`, counting keys, values and headers (a message
 * over the byte limit goes alone).
 */
export function chunkMessages<T extends Message>(messages: readonly T[], limits: SendLimits): T[][] {
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message.key) + sizeOf(message.value) + headersSize(message.headers) + recordOverhead;
    if (chunk.length > 0 && (chunk.length >= limits.records || bytes + size > limits.bytes)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The `events.confirmed` records of `events`: each contract's events in their order, cut into records
 * of at most `eventsPerRecord` events and `limits.bytes` (room left for the key, headers and overhead),
 * so each record fits a send. A record of one event is that event's own message ({@link encodeEventRecord}).
 * Records of different contracts may come in any order (order is kept per contract, which is per key).
 */
export function packRecords(
  events: readonly EncodedEvent[],
  eventsPerRecord: number,
  limits: SendLimits = defaultSendLimits,
): EncodedRecord[] {
  if (eventsPerRecord <= 1) return events.map((event) => ({ key: event.key, value: event.value }));
  const byKey = new Map<string, EncodedEvent[]>();
  for (const event of events) {
    const list = byKey.get(event.key);
    if (list) list.push(event);
    else byKey.set(event.key, [event]);
  }
  // Headers (trace context) and the record's own overhead are added to each record later.
  const maxBytes = limits.bytes - 1_024;
  const records: EncodedRecord[] = [];
  for (const [key, list] of byKey) {
    let start = 0;
    let length = 0;
    for (let i = 0; i < list.length; i++) {
      // Characters, not bytes: the same for the ASCII of most events, and checked on the encoded record.
      const size = list[i]!.value.length + 1;
      if (i > start && (i - start >= eventsPerRecord || length + size > maxBytes)) {
        pushPacked(records, key, list.slice(start, i), maxBytes);
        start = i;
        length = 0;
      }
      length += size;
    }
    if (start < list.length) pushPacked(records, key, list.slice(start), maxBytes);
  }
  return records;
}

/**
 * Adds the record of `pack` (events of one contract) to `records`; a pack whose bytes exceed
 * `maxBytes` (multi-byte characters) is halved. The record stays a string: kafkajs writes a string
 * value straight into the record it encodes, where a buffer made here would be one more copy of
 * every byte, and more memory outside the heap whose growth makes V8 collect garbage sooner.
 */
function pushPacked(
  records: EncodedRecord[],
  key: string,
  pack: readonly EncodedEvent[],
  maxBytes: number,
): void {
  if (pack.length === 1) {
    records.push({ key, value: pack[0]!.value });
    return;
  }
  const value = packValues(pack);
  if (Buffer.byteLength(value) <= maxBytes) {
    records.push({ key, value });
    return;
  }
  const half = Math.ceil(pack.length / 2);
  pushPacked(records, key, pack.slice(0, half), maxBytes);
  pushPacked(records, key, pack.slice(half), maxBytes);
}

/**
 * The packed record of several events ({@link encodeEventRecord}): text when their JSON is text, bytes
 * when it is bytes (a backfill's), written once into a buffer of the record's size.
 */
function packValues(pack: readonly EncodedEvent[]): string | Buffer {
  if (pack.every((event) => typeof event.value === 'string'))
    return encodeEventRecord(pack.map((event) => event.value as string));
  const [prefix, suffix] = packedRecordFrame;
  const parts: Buffer[] = [prefix];
  for (let i = 0; i < pack.length; i++) {
    const value = pack[i]!.value;
    if (i > 0) parts.push(comma);
    parts.push(typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
  }
  parts.push(suffix);
  return Buffer.concat(parts);
}

/** What {@link encodeEventRecord} writes before the first event and after the last, as bytes. */
const packedRecordFrame = encodeEventRecord(['\u0000', '\u0000'])
  .split('\u0000,\u0000')
  .map((part) => Buffer.from(part, 'utf8')) as [Buffer, Buffer];
const comma = Buffer.from(',');

/** One `events.confirmed` record: one event, or several of one contract packed ({@link packRecords}). */
export type EncodedRecord = { key: string; value: string | Buffer };

const keyPartitioner = createCachedPartitioner();

/** Messages of one topic in one kafkajs send. */
type TopicMessages = { topic: string; messages: Message[] };

/** What the publisher knows of the cluster and the topics, read at each connect. */
type Layout = {
  brokers: number;
  partitions: { confirmed: number; pending: number };
  limits: SendLimits;
};

/**
 * The sends of `messages` to `topic`, each to one partition (set on every message) and within
 * `limits`, in the order the messages come within each partition.
 *
 * kafkajs sends one request per partition leader and, when one of them fails, retries the whole send
 * with the leaders it knows then, skipping the brokers that answered: when the failed broker's
 * partitions moved to a broker that had answered, their messages are silently dropped, and messages
 * resent to a different broker get new sequence numbers, so the broker does not recognise them and
 * writes them twice. A send to a single partition has a single leader: kafkajs resends it whole with
 * the same sequence numbers, which the new leader recognises. Found with a broker SIGKILLed under
 * traffic (test/e2e/kafkaCluster.test.ts).
 */
export function sendsByPartition(
  topic: string,
  partitionCount: number,
  messages: readonly Message[],
  limits: SendLimits = defaultSendLimits,
): { topic: string; messages: Message[] }[] {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  }));
  const byPartition = new Map<number, Message[]>();
  for (const message of messages) {
    const partition = keyPartitioner({ topic, partitionMetadata, message });
    const list = byPartition.get(partition) ?? [];
    if (list.length === 0) byPartition.set(partition, list);
    list.push({ ...message, partition });
  }
  const sends: { topic: string; messages: Message[] }[] = [];
  for (const list of byPartition.values()) {
    for (const chunk of chunkMessages(list, limits)) sends.push({ topic, messages: chunk });
  }
  return sends;
}

/** Most bytes of one send to a single broker, over all its partitions' batches. */
const maxSendBytes = 8 * 1024 * 1024;

/**
 * Cuts `messages` into consecutive sends to one broker in which each partition's batch stays within
 * `limits` (the broker's limit is per batch, that is per partition of a send) and the whole send within
 * {@link maxSendBytes}: a send carries up to `limits` for every partition it touches, so a transaction
 * takes fewer round trips than with `limits` for the whole send.
 */
export function chunkByPartition<T extends Message>(
  topic: string,
  partitionCount: number,
  messages: readonly T[],
  limits: SendLimits,
): T[][] {
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [],
    isr: [],
  }));
  const chunks: T[][] = [];
  let chunk: T[] = [];
  let total = 0;
  let perPartition = new Map<number, { records: number; bytes: number }>();
  for (const message of messages) {
    const partition = keyPartitioner({ topic, partitionMetadata, message });
    const size = sizeOf(message.key) + sizeOf(message.value) + headersSize(message.headers) + recordOverhead;
    const used = perPartition.get(partition) ?? { records: 0, bytes: 0 };
    if (
      chunk.length > 0 &&
      (used.records >= limits.records || used.bytes + size > limits.bytes || total + size > maxSendBytes)
    ) {
      chunks.push(chunk);
      chunk = [];
      total = 0;
      perPartition = new Map();
      used.records = 0;
      used.bytes = 0;
    }
    chunk.push(message);
    total += size;
    used.records++;
    used.bytes += size;
    perPartition.set(partition, used);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * The sends of one publish, each a list of topic messages for one kafkajs `sendBatch`, in order.
 * With several brokers, one partition per send ({@link sendsByPartition}) and the `last` messages (the
 * checkpoint) on their own. With a single broker every send is one request to it, which kafkajs
 * retries whole with the same sequence numbers: chunks across partitions within `limits` per partition
 * ({@link chunkByPartition}), the last one with `last`, which saves a round trip per partition in each
 * transaction.
 */
export function planSends(
  topic: string,
  messages: readonly Message[],
  layout: { brokers: number; partitions: number; limits?: SendLimits },
  last?: TopicMessages,
): TopicMessages[][] {
  const limits = layout.limits ?? defaultSendLimits;
  const tail = last ? [last] : [];
  if (layout.brokers > 1) {
    const sends = sendsByPartition(topic, layout.partitions, messages, limits).map((send) => [send]);
    return tail.length > 0 ? [...sends, tail] : sends;
  }
  const plan: TopicMessages[][] = chunkByPartition(topic, layout.partitions, messages, limits).map(
    (chunk) => [{ topic, messages: chunk }],
  );
  if (tail.length === 0) return plan;
  const final = plan.at(-1);
  if (final) final.push(...tail);
  else plan.push(tail);
  return plan;
}

/**
 * Retries of the producers' sends. kafkajs retries forever for an idempotent producer, first after
 * the client's 300 ms; the transaction coordinator answers CONCURRENT_TRANSACTIONS to the first send
 * of a transaction while it still writes the markers of the previous one, which back-to-back
 * transactions (a backfill) meet often and which clears within milliseconds. So the first retry comes
 * after 20 ms (as the Java client does for this answer) and the backoff still doubles up to 30 s.
 */
const sendRetry = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 20, maxRetryTime: 30_000 };
function toMessage(record: EncodedRecord): Message {
  return { key: record.key, value: record.value };
}

const isEncoded = (
  events: readonly ChainEvent[] | readonly EncodedEvent[],
): events is readonly EncodedEvent[] =>
  events.length > 0 && typeof (events[0] as Partial<EncodedEvent>).key === 'string';

/** A traced send: its span, and the message builder that puts the span's trace context in the headers. */
type TracedSend = { span: Span | undefined; toMessage: (record: EncodedRecord) => Message };

const untraced: TracedSend = { span: undefined, toMessage };

/**
 * Starts the `blockwire.ingest.publish` span of a send when tracing is on; every message of the send
 * carries its W3C trace context (`traceparent`, `tracestate`) as Kafka headers, so the processor's
 * span of each event joins the trace. One headers object is shared by the whole send.
 */
function startPublishSpan(
  topic: string,
  chainId: number,
  blockNumber: number,
  events: readonly unknown[],
): TracedSend {
  const tracing = activeTracing();
  if (!tracing || events.length === 0) return untraced;
  const span = tracing.tracer.startSpan(spanNames.ingestPublish, {
    kind: SpanKind.PRODUCER,
    attributes: {
      [spanAttributes.role]: 'ingest',
      [spanAttributes.chainId]: chainId,
      [spanAttributes.blockNumber]: blockNumber,
      [spanAttributes.eventCount]: events.length,
      [spanAttributes.messagingSystem]: 'kafka',
      [spanAttributes.messagingDestination]: topic,
    },
  });
  const headers = tracing.headersOf(span);
  return { span, toMessage: (record) => ({ ...toMessage(record), headers }) };
}

/** Ends a send's span, as failed when `error` is given. */
function endPublishSpan(span: Span | undefined, error?: unknown): void {
  if (!span) return;
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  }
  span.end();
}

/** Creates the transactional publisher of one chain. */
export function createPublisher({
  kafka,
  topics,
  chainId,
  transactionalId,
  eventsPerRecord = defaultEventsPerRecord,
  logger,
}: CreatePublisherParameters): Publisher {
  let producer: Producer | undefined;
  let pendingProducer: Producer | undefined;
  let layout: Layout = {
    brokers: 1,
    partitions: { confirmed: 1, pending: 1 },
    limits: defaultSendLimits,
  };
  const chain = String(chainId);
  /** Adds published events to the events metric, one increment per status rather than per event. */
  const countEvents = (topic: 'confirmed' | 'pending', events: readonly EncodedEvent[]) => {
    const byStatus = new Map<string, number>();
    for (const event of events) byStatus.set(event.status, (byStatus.get(event.status) ?? 0) + 1);
    for (const [status, count] of byStatus)
      ingestMetrics.events.inc({ chain_id: chain, topic, status }, count);
  };

  return {
    async connect() {
      try {
        producer = kafka.producer({
          transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: 60_000,
          createPartitioner: createCachedPartitioner,
          retry: sendRetry,
        });
        await producer.connect();
        // The first transaction runs InitProducerId: it bumps the epoch, which fences a zombie and
        // aborts whatever transaction it left open.
        const fence = await producer.transaction();
        await fence.abort();
        pendingProducer = kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: createCachedPartitioner,
        });
        await pendingProducer.connect();
        layout = await readLayout(kafka, topics, logger);
      } catch (error) {
        throw toKafkaError(error, 'Connecting the Kafka producer failed');
      }
    },
    async publishConfirmed({ events: given, checkpoint, children = [] }) {
      if (!producer) throw new Error('publisher used before connect()');
      const events = isEncoded(given) ? given : given.map(encodeForKafka);
      const started = performance.now();
      const traced = startPublishSpan(topics.confirmed, chainId, checkpoint.blockNumber, events);
      const transaction = await producer.transaction().catch((error) => {
        endPublishSpan(traced.span, error);
        throw toKafkaError(error, 'Starting a Kafka transaction failed');
      });
      try {
        // One send at a time: kafkajs adds a send's partitions to the transaction before producing,
        // and the transaction coordinator takes one operation of a transaction at a time. The
        // checkpoint is the last record of the transaction.
        const plan = planSends(
          topics.confirmed,
          packRecords(events, eventsPerRecord, layout.limits).map(traced.toMessage),
          { brokers: layout.brokers, partitions: layout.partitions.confirmed, limits: layout.limits },
          {
            topic: topics.checkpoints,
            messages: [
              { key: checkpointKey(chainId), value: encodeIngestCheckpoint(checkpoint), partition: 0 },
            ],
          },
        );
        const childMessages = children.map((child) => ({ key: child.key, value: child.value, partition: 0 }));
        for (const messages of chunkMessages(childMessages, defaultSendLimits))
          await transaction.sendBatch({ topicMessages: [{ topic: topics.children, messages }] });
        for (const topicMessages of plan) await transaction.sendBatch({ topicMessages });
        await transaction.commit();
      } catch (error) {
        endPublishSpan(traced.span, error);
        await transaction.abort().catch((abortError) =>
          logger.debug({
            msg: 'Aborting the failed transaction failed',
            err: (abortError as Error).message,
          }),
        );
        const action = `Publishing up to block ${checkpoint.blockNumber} failed`;
        throw toKafkaError(
          error,
          kafkaErrorCause(error)?.type === 'MESSAGE_TOO_LARGE'
            ? `${action}: ${describeLargest(events, topics.confirmed)}`
            : action,
        );
      }
      endPublishSpan(traced.span);
      ingestMetrics.publishLatency.observe({ chain_id: chain }, (performance.now() - started) / 1000);
      countEvents('confirmed', events);
      let undecoded = 0;
      for (const event of events) if (event.status === 'CONFIRMED' && !event.decoded) undecoded++;
      if (undecoded > 0) ingestMetrics.undecoded.inc({ chain_id: chain }, undecoded);
    },
    async publishPending(given) {
      if (!pendingProducer) throw new Error('publisher used before connect()');
      if (given.length === 0) return;
      const events = given.map(encodeForKafka);
      const traced = startPublishSpan(topics.pending, chainId, given.at(-1)!.blockNumber, events);
      try {
        const plan = planSends(topics.pending, events.map(traced.toMessage), {
          brokers: layout.brokers,
          partitions: layout.partitions.pending,
          limits: layout.limits,
        });
        for (const topicMessages of plan) await pendingProducer.sendBatch({ topicMessages });
      } catch (error) {
        endPublishSpan(traced.span, error);
        throw toKafkaError(error, 'Publishing pending events failed');
      }
      endPublishSpan(traced.span);
      countEvents('pending', events);
    },
    async disconnect() {
      await Promise.allSettled([producer?.disconnect(), pendingProducer?.disconnect()]);
      producer = undefined;
      pendingProducer = undefined;
    },
  };
}

/**
 * Names the largest of `events` (which the broker refused as too large: sends are kept under the
 * topic's limit, so only an event over it alone is refused) and what to do about it.
 */
function describeLargest(events: readonly EncodedEvent[], topic: string): string {
  let largest: EncodedEvent | undefined;
  let largestBytes = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(event.value);
    if (bytes > largestBytes) [largest, largestBytes] = [event, bytes];
  }
  if (!largest) return 'no event to blame';
  let id = '(unreadable id)';
  try {
    id = (JSON.parse(largest.value.toString()) as { id?: string }).id ?? id;
  } catch {}
  return (
    `event ${id} (key ${largest.key}, block ${largest.blockNumber}) is ${largestBytes} bytes, more than ` +
    `topic ${topic} accepts in one record: raise the topic's max.message.bytes above it`
  );
}

/** The brokers of the cluster and the partitions of the event topics (which exist once a role started). */
async function readLayout(kafka: Kafka, topics: TopicNames, logger: Logger): Promise<Layout> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topics.confirmed, topics.pending] });
    const count = (topic: string) => {
      const partitions = metadata.topics.find((entry) => entry.name === topic)?.partitions.length ?? 0;
      if (partitions < 1) throw new Error(`Kafka topic ${topic} has no partitions`);
      return partitions;
    };
    const { brokers } = await admin.describeCluster();
    return {
      brokers: brokers.length,
      partitions: { confirmed: count(topics.confirmed), pending: count(topics.pending) },
      limits: await readSendLimits(admin, [topics.confirmed, topics.pending], logger),
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * The send limits under the smallest `max.message.bytes` of `topics` (with room for the batch header
 * and the request), or the defaults when the topics keep the broker's default or the configs cannot be
 * read (a principal without DescribeConfigs).
 */
async function readSendLimits(admin: Admin, topics: string[], logger: Logger): Promise<SendLimits> {
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: kafkajs.ConfigResourceTypes.TOPIC,
        name,
        configNames: ['max.message.bytes'],
      })),
    });
    const sizes = resources
      .flatMap((resource) => resource.configEntries)
      .filter((entry) => entry.configName === 'max.message.bytes')
      .map((entry) => Number(entry.configValue))
      .filter((size) => Number.isFinite(size) && size > 0);
    if (sizes.length === 0) return defaultSendLimits;
    const bytes = Math.min(defaultSendLimits.bytes, Math.floor(Math.min(...sizes) * 0.85));
    return { records: defaultSendLimits.records, bytes };
  } catch (error) {
    logger.debug({
      msg: "Could not read the topics' max.message.bytes; sends keep the default limits",
      err: (error as Error).message,
    });
    return defaultSendLimits;
  }
}
