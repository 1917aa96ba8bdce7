/** One `eth_getLogs` filter of a range: by a chunk of addresses, or by event selectors (topic0) alone. */
export type LogFilter =
  | { kind: 'addresses'; addresses: `0x${string}`[] }
  | { kind: 'topics'; selectors: `0x${string}`[] };

/** Parameters of {@link planLogFilters}. */
export type PlanLogFiltersParameters = {
  /** Addresses whose logs the range needs (any case; repeats are dropped). */
  addresses: readonly `0x${string}`[];
  /** Most addresses one call may carry: providers refuse or time out past a few hundred to thousands. */
  maxAddressesPerCall: number;
  /**
   * Past this many addresses one call by topic0 replaces the address chunks (as other indexers do):
   * it returns every contract's logs of those events, and the caller keeps those of its addresses.
   */
  topicOnlyAbove: number;
  /** The topic0 of every event the addresses are followed for (a topic-only filter needs them). */
  selectors: readonly `0x${string}`[];
};

/**
 * The `eth_getLogs` calls that cover one range for a set of addresses: none for no address, chunks
 * of at most `maxAddressesPerCall` addresses, or a single topic-only call past `topicOnlyAbove`
 * addresses (when selectors are known).
 */
export function planLogFilters({
  addresses,
  maxAddressesPerCall,
  topicOnlyAbove,
  selectors,
}: PlanLogFiltersParameters): LogFilter[] {
  if (!Number.isInteger(maxAddressesPerCall) || maxAddressesPerCall < 1) {
    throw new RangeError(
      `maxAddressesPerCall must be a whole number of at least 1, got ${maxAddressesPerCall}`,
    );
  }
  const unique = [...new Set(addresses.map((address) => address.toLowerCase() as `0x${string}`))];
  if (unique.length === 0) return [];
  if (unique.length > topicOnlyAbove && selectors.length > 0) {
    return [
      { kind: 'topics', selectors: [...new Set(selectors.map((s) => s.toLowerCase() as `0x${string}`))] },
    ];
  }
  const filters: LogFilter[] = [];
  for (let start = 0; start < unique.length; start += maxAddressesPerCall) {
    filters.push({ kind: 'addresses', addresses: unique.slice(start, start + maxAddressesPerCall) });
  }
  return filters;
}
