import { getAddress, isAddress } from '../../domain/evm.ts';
import { parseCursor } from '../../domain/index.ts';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from '../graphqlJs.ts';
import { decodeResumeToken, type StreamPosition } from '../stream/resumeToken.ts';

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function literal(node: ValueNode): unknown {
  if (node.kind === Kind.STRING || node.kind === Kind.INT) return node.value;
  return `<${node.kind}>`;
}

// A plain error (not a GraphQLError) makes graphql-js wrap it with the location and type of the
// offending value, which the error plugin turns into a message naming the argument.
function badInput(message: string): TypeError {
  return new TypeError(message);
}

const integerPattern = /^-?\d{1,80}$/;

function parseBigInt(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && integerPattern.test(value)) return BigInt(value).toString();
  throw badInput(
    `BigInt must be an integer as a decimal string, e.g. "1000000000000000000". Got ${show(value)}.`,
  );
}

/** uint/int ABI values: decimal strings so uint256 never loses precision. */
export const bigIntScalar = new GraphQLScalarType<string, string>({
  name: 'BigInt',
  description: 'An integer of any size (uint256/int256) as a decimal string, e.g. "1000000000000000000".',
  serialize: (value) => {
    if (typeof value === 'bigint') return value.toString();
    return parseBigInt(value);
  },
  parseValue: parseBigInt,
  parseLiteral: (node) => parseBigInt(literal(node)),
});

function parseAddress(value: unknown): `0x${string}` {
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw badInput(
      `Address must be a 20-byte hex address (0x followed by 40 hex digits). Got ${show(value)}.`,
    );
  if (!isAddress(value, { strict: true }))
    throw badInput(
      `Address has an invalid EIP-55 checksum (use all lower-case or the checksummed form). Got ${show(value)}.`,
    );
  return value.toLowerCase() as `0x${string}`;
}

/** A 20-byte account or contract address: input in lower-case or checksummed form, output checksummed. */
export const addressScalar = new GraphQLScalarType<`0x${string}`, string>({
  name: 'Address',
  description: 'A 20-byte EVM address. Input: lower-case or EIP-55 checksummed. Output: EIP-55 checksummed.',
  serialize: (value) => {
    if (typeof value !== 'string' || !isAddress(value, { strict: false }))
      throw new GraphQLError(`Address value is not a 20-byte hex address: ${show(value)}.`);
    return getAddress(value);
  },
  parseValue: parseAddress,
  parseLiteral: (node) => parseAddress(literal(node)),
});

function parseHex(value: unknown): `0x${string}` {
  if (typeof value !== 'string' || !/^0x([0-9a-fA-F]{2})*$/.test(value))
    throw badInput(`Hex must be 0x followed by an even number of hex digits. Got ${show(value)}.`);
  return value.toLowerCase() as `0x${string}`;
}

/** Raw bytes (bytes, bytesN, hashes, topics) as 0x-prefixed lower-case hex. */
export const hexScalar = new GraphQLScalarType<`0x${string}`, string>({
  name: 'Hex',
  description: 'Bytes as 0x-prefixed lower-case hex (bytes, bytes32, hashes).',
  serialize: (value) => {
    if (typeof value !== 'string' || !/^0x[0-9a-fA-F]*$/.test(value))
      throw new GraphQLError(`Hex value is not 0x-prefixed hex: ${show(value)}.`);
    return value.toLowerCase();
  },
  parseValue: parseHex,
  parseLiteral: (node) => parseHex(literal(node)),
});

function parseCursorInput(value: unknown): string {
  if (typeof value !== 'string' || !parseCursor(value))
    throw badInput(
      `Cursor must be a journal position "<blockNumber>-<logIndex>", e.g. "1204-3". Got ${show(value)}.`,
    );
  return value;
}

/** A position in one contract's journal (the Redis stream entry id). */
export const cursorScalar = new GraphQLScalarType<string, string>({
  name: 'Cursor',
  description:
    'A position in one contract\'s journal, "<blockNumber>-<logIndex>" (after a deep reorg, a later position). Sorts numerically per contract.',
  serialize: (value) => String(value),
  parseValue: parseCursorInput,
  parseLiteral: (node) => parseCursorInput(literal(node)),
});

function parseStreamPosition(value: unknown): StreamPosition {
  if (typeof value === 'string' && parseCursor(value)) return { kind: 'cursor', cursor: value };
  if (typeof value === 'string') {
    const positions = decodeResumeToken(value);
    if (positions) return { kind: 'token', positions };
  }
  throw badInput(
    `StreamPosition must be a Cursor ("<blockNumber>-<logIndex>") or a resumeToken received with an event. Got ${show(value)}.`,
  );
}

/** Where a subscription or history page resumes: a plain cursor (every contract) or a resume token. */
export const streamPositionScalar = new GraphQLScalarType<StreamPosition, string>({
  name: 'StreamPosition',
  description:
    'Where to resume: a Cursor (applied to every contract of the filter) or the opaque resumeToken of the last event received (one position per contract; gapless across contracts).',
  serialize: (value) => String(value),
  parseValue: parseStreamPosition,
  parseLiteral: (node) => parseStreamPosition(literal(node)),
});
