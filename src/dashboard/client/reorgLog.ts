import type { FeedEvent } from './feedModel.ts';

/** Events retracted from one block, as seen in the feed. */
export type ReorgEntry = {
  chainId: number;
  blockNumber: string;
  /** Number of REMOVED events of this block. */
  removed: number;
  contracts: string[];
  /** True when at least one removed event had been CONFIRMED: a reorg deeper than the confirmations. */
  deep: boolean;
  /** Unix milliseconds of the first REMOVED event of this block. */
  seenAt: number;
};

/** Recent reorgs, one entry per orphaned block, newest first. */
export type ReorgLog = {
  /** Adds a REMOVED event; returns false for any other status. */
  add(event: FeedEvent, options: { wasConfirmed: boolean; nowMs: number }): boolean;
  entries(): ReorgEntry[];
};

/** Parameters of {@link createReorgLog}. */
export type CreateReorgLogParameters = { maxEntries: number };

/** Groups REMOVED events by chain and block number into reorg entries, keeping the newest `maxEntries`. */
export function createReorgLog({ maxEntries }: CreateReorgLogParameters): ReorgLog {
  // Newest first.
  const entries: ReorgEntry[] = [];
  return {
    add(event, { wasConfirmed, nowMs }) {
      if (event.status !== 'REMOVED') return false;
      let entry = entries.find((e) => e.chainId === event.chainId && e.blockNumber === event.blockNumber);
      if (!entry) {
        entry = {
          chainId: event.chainId,
          blockNumber: event.blockNumber,
          removed: 0,
          contracts: [],
          deep: false,
          seenAt: nowMs,
        };
        entries.unshift(entry);
        entries.length = Math.min(entries.length, maxEntries);
      }
      entry.removed += 1;
      entry.deep ||= wasConfirmed;
      const contract = event.contractName ?? 'unknown';
      if (!entry.contracts.includes(contract)) entry.contracts.push(contract);
      return true;
    },
    entries: () => entries.map((entry) => ({ ...entry, contracts: [...entry.contracts] })),
  };
}
