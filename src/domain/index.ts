export { type StandardAbiName, standardAbi } from './abis.ts';
export type { EventChannelMessage, HeadChannelMessage } from './channelMessage.ts';
export {
  type DecodeFailure,
  type DecodeResult,
  decodeCheckpoint,
  decodeEvent,
  decodeEventRecord,
  encodeCheckpoint,
  encodeEvent,
  encodeEventRecord,
  packedEventTexts,
  packedRecordVersion,
  type SplitEventRecord,
  splitEventRecord,
  validateEvent,
} from './codec.ts';
export {
  type Cursor,
  type CursorParts,
  compareCursorParts,
  compareCursors,
  encodeCursor,
  parseCursor,
} from './cursor.ts';
export {
  type ChainEvent,
  type Checkpoint,
  type EventStatus,
  eventMessageVersion,
  type JsonValue,
} from './event.ts';
export { type EventIdParameters, eventId } from './eventId.ts';
export * from './keySlot.ts';
export * from './names.ts';
export * from './readModel.ts';
