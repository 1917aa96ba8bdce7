/**
 * Names of blockwire's spans and of their attributes (documented in docs/operations.md). One trace
 * follows a published Kafka transaction: `ingest.publish` → `process.apply` per event →
 * `gateway.deliver` per channel message of the event, each the child of the one before.
 */
export const spanNames = {
  /** Ingestor: one Kafka send of events (a transaction of confirmed blocks, or pending notices). */
  ingestPublish: 'blockwire.ingest.publish',
  /** Processor: one event applied to Redis (decoded, applied by the script, published). */
  processApply: 'blockwire.process.apply',
  /** Gateway: one channel message handed to every subscription listening on its channel. */
  gatewayDeliver: 'blockwire.gateway.deliver',
} as const;

/** Span attribute names. */
export const spanAttributes = {
  /** `ingest`, `process` or `gateway`: which role made the span (roles may share a process). */
  role: 'blockwire.role',
  chainId: 'blockwire.chain_id',
  /** Ingest: the last block of the send (the checkpoint of a confirmed transaction); process: the event's block. */
  blockNumber: 'blockwire.block_number',
  /** Ingest: events in the send. */
  eventCount: 'blockwire.event_count',
  /** Process and gateway: the event id `<chainId>:<blockHash>:<logIndex>`. */
  eventId: 'blockwire.event_id',
  /** Process: `applied`, `duplicate`, `unreversible`, `dead_lettered` (the script refused it) or `abandoned` (the consumer stopped first). */
  applyResult: 'blockwire.apply.result',
  /** Gateway: subscriptions listening on the channel when the message arrived. */
  subscriberCount: 'blockwire.subscriber_count',
  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingPartition: 'messaging.destination.partition.id',
  messagingOffset: 'messaging.kafka.offset',
} as const;
