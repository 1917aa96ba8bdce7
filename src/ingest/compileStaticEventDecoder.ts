import { type AbiEvent, type AbiParameter, checksumAddress } from 'viem';
import type { JsonValue } from '../domain/index.ts';

/** Decoded args of a log as JSON (what `toJsonValue` makes of viem's `decodeEventLog` args). */
export type StaticDecodeResult = { args: Record<string, JsonValue> };

/**
 * Decodes the topics and data of a log already matched to one event by topic0. Returns `mismatch`
 * when viem's strict decoding is sure to refuse the log for this event (fewer topics than indexed
 * arguments, no data for non-indexed ones: how ERC-20 and ERC-721 `Transfer` are told apart), and
 * undefined when the log is anything else but the well-formed common case (odd data, a bool word
 * other than 0/1, a small int out of the safe range): the caller then decodes it with viem, which
 * either decodes it or says why not.
 */
export type StaticEventDecoder = (
  topics: readonly `0x${string}`[],
  data: `0x${string}`,
) => StaticDecodeResult | 'mismatch' | undefined;

/** How one 32-byte word turns into a JSON value; undefined means "let viem decide". */
type WordReader = (word: string) => JsonValue | undefined;

const twoTo255 = 1n << 255n;
const twoTo256 = 1n << 256n;
const wordPattern = /^[0-9a-fA-F]*$/;

/** Addresses seen, checksummed (viem's own cache costs more per lookup than the rest of a log). */
const checksummed = new Map<string, string>();
const maxChecksummed = 100_000;

function checksummedAddress(word: string): string {
  const hex = word.slice(24);
  let address = checksummed.get(hex);
  if (address === undefined) {
    address = checksumAddress(`0x${hex}`);
    if (checksummed.size >= maxChecksummed) checksummed.clear();
    checksummed.set(hex, address);
  }
  return address;
}

function readerOf(type: string): WordReader | undefined {
  if (type === 'address') return checksummedAddress;
  if (type === 'bool') {
    return (word) => {
      if (!/^0{62}0[01]$/.test(word)) return undefined;
      return word.endsWith('1');
    };
  }
  const bytes = /^bytes([0-9]+)$/.exec(type);
  if (bytes) {
    const size = Number(bytes[1]);
    if (size < 1 || size > 32) return undefined;
    return (word) => `0x${word.slice(0, size * 2).toLowerCase()}`;
  }
  const integer = /^(u?)int([0-9]*)$/.exec(type);
  if (integer) {
    const signed = integer[1] === '';
    const bits = Number(integer[2] || '256');
    if (bits < 8 || bits > 256 || bits % 8 !== 0) return undefined;
    // viem reads the whole word as a 256-bit (two's complement when signed) value, and returns
    // numbers up to 48 bits (refusing unsafe ones), bigints above; bigints become decimal strings.
    return (word) => {
      let value = BigInt(`0x${word}`);
      if (signed && value >= twoTo255) value -= twoTo256;
      if (bits > 48) return value.toString(10);
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : undefined;
    };
  }
  return undefined;
}

/**
 * Compiles a decoder for an event whose inputs are all static elementary types (address, bool,
 * uint<N>, int<N>, bytes<N>), the shape of nearly every token event. It gives what viem's strict
 * `decodeEventLog` gives after `toJsonValue` (same values, same key order: indexed arguments first),
 * without hashing the signature again or copying the data into bytes for every log. Returns
 * undefined for events with any other input type (tuples, arrays, strings, dynamic bytes).
 */
export function compileStaticEventDecoder(event: AbiEvent): StaticEventDecoder | undefined {
  const inputs: readonly AbiParameter[] = event.inputs;
  const readers: WordReader[] = [];
  for (const input of inputs) {
    const reader = readerOf(input.type);
    if (!reader) return undefined;
    readers.push(reader);
  }
  const unnamed = inputs.some((input) => !input.name);
  const indexed = inputs.flatMap((input, index) => ((input as { indexed?: boolean }).indexed ? [index] : []));
  const nonIndexed = inputs.flatMap((input, index) =>
    (input as { indexed?: boolean }).indexed ? [] : [index],
  );
  // Arguments in the order viem assigns them: the indexed ones, then the others; unnamed events
  // are positional.
  const order = unnamed ? inputs.map((_, index) => index) : [...indexed, ...nonIndexed];
  const keys = order.map((index) => (unnamed ? String(index) : inputs[index]!.name!));
  const dataLength = 2 + 64 * nonIndexed.length;

  return (topics, data) => {
    if (topics.length < indexed.length + 1) return 'mismatch';
    if (nonIndexed.length > 0 && data === '0x') return 'mismatch';
    if (nonIndexed.length > 0 ? data.length !== dataLength : data.length < 2) return undefined;
    if (nonIndexed.length > 0 && !wordPattern.test(data.slice(2))) return undefined;
    const values = new Array<JsonValue>(inputs.length);
    for (let i = 0; i < indexed.length; i++) {
      const topic = topics[i + 1]!;
      if (topic.length !== 66 || !wordPattern.test(topic.slice(2))) return undefined;
      const value = readers[indexed[i]!]!(topic.slice(2));
      if (value === undefined) return undefined;
      values[indexed[i]!] = value;
    }
    for (let i = 0; i < nonIndexed.length; i++) {
      const value = readers[nonIndexed[i]!]!(data.slice(2 + 64 * i, 66 + 64 * i));
      if (value === undefined) return undefined;
      values[nonIndexed[i]!] = value;
    }
    const args: Record<string, JsonValue> = {};
    for (let i = 0; i < order.length; i++) args[keys[i]!] = values[order[i]!]!;
    return { args };
  };
}
