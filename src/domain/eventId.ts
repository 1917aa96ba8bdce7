/** Parameters of {@link eventId}. */
export type EventIdParameters = { chainId: number; blockHash: string; logIndex: number };

/** Natural, reorg-safe identity of a log: `<chainId>:<blockHash>:<logIndex>`. */
export function eventId({ chainId, blockHash, logIndex }: EventIdParameters): string {
  return `${chainId}:${blockHash.toLowerCase()}:${logIndex}`;
}
