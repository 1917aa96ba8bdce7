import { type ChainEvent, type EventStatus, eventId, type JsonValue } from '../../../src/domain/index.ts';

/** The zero address of mints and burns. */
export const zeroAddress = '0x0000000000000000000000000000000000000000';

/** Parameters of {@link makeEvent}. */
export type MakeEventParameters = {
  chainId: number;
  address: `0x${string}`;
  blockNumber: number;
  blockHash: `0x${string}`;
  logIndex: number;
  eventName: string | null;
  signature?: string | null;
  args?: Record<string, JsonValue>;
  status?: EventStatus;
};

const signatures: Record<string, string> = {
  Transfer: 'Transfer(address,address,uint256)',
  Approval: 'Approval(address,address,uint256)',
  TransferSingle: 'TransferSingle(address,address,address,uint256,uint256)',
  TransferBatch: 'TransferBatch(address,address,address,uint256[],uint256[])',
  Ping: 'Ping(uint256)',
};

function hex32(seed: string): `0x${string}` {
  let hash = 0n;
  for (const char of seed) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % (1n << 256n);
  return `0x${hash.toString(16).padStart(64, '0')}`;
}

/** A well-formed event message as ingest would publish it (decoded unless `eventName` is null). */
export function makeEvent(parameters: MakeEventParameters): ChainEvent {
  const {
    chainId,
    address,
    blockNumber,
    blockHash,
    logIndex,
    eventName,
    args = {},
    status = 'CONFIRMED',
  } = parameters;
  return {
    v: 1,
    id: eventId({ chainId, blockHash, logIndex }),
    status,
    chainId,
    blockNumber,
    blockHash,
    blockTimestamp: 1_700_000_000 + blockNumber * 2,
    transactionHash: hex32(`${blockHash}:${logIndex}:tx`),
    transactionIndex: logIndex,
    logIndex,
    address: address.toLowerCase() as `0x${string}`,
    eventName,
    signature: parameters.signature ?? (eventName ? (signatures[eventName] ?? `${eventName}()`) : null),
    decoded: eventName !== null,
    args: eventName === null ? {} : args,
    topics: [hex32(`${eventName ?? 'unknown'}:topic`)],
    data: '0x',
  };
}
