import { describe, expect, it } from 'vitest';
import { planLogFilters } from './planLogFilters.ts';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}` as `0x${string}`;
const transfer = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

describe('planLogFilters', () => {
  it('chunks the addresses so no call carries more than the cap, each address once', () => {
    const addresses = Array.from({ length: 2_500 }, (_, i) => address(i + 1));
    const filters = planLogFilters({
      addresses: [...addresses, addresses[7]!.toUpperCase() as `0x${string}`],
      maxAddressesPerCall: 1_000,
      topicOnlyAbove: 10_000,
      selectors: [transfer],
    });
    expect(filters.map((filter) => (filter.kind === 'addresses' ? filter.addresses.length : 0))).toEqual([
      1_000, 1_000, 500,
    ]);
    expect(filters.flatMap((filter) => (filter.kind === 'addresses' ? filter.addresses : []))).toEqual(
      addresses,
    );
  });

  it('replaces the chunks with one topic-only call past the threshold, and needs selectors for it', () => {
    const addresses = Array.from({ length: 30 }, (_, i) => address(i + 1));
    expect(
      planLogFilters({
        addresses,
        maxAddressesPerCall: 10,
        topicOnlyAbove: 20,
        selectors: [transfer, transfer],
      }),
    ).toEqual([{ kind: 'topics', selectors: [transfer] }]);
    expect(
      planLogFilters({ addresses, maxAddressesPerCall: 10, topicOnlyAbove: 20, selectors: [] }),
    ).toHaveLength(3);
  });

  it('plans no call for no address and refuses a cap below one', () => {
    expect(
      planLogFilters({ addresses: [], maxAddressesPerCall: 5, topicOnlyAbove: 10, selectors: [transfer] }),
    ).toEqual([]);
    expect(() =>
      planLogFilters({ addresses: [address(1)], maxAddressesPerCall: 0, topicOnlyAbove: 10, selectors: [] }),
    ).toThrow('maxAddressesPerCall must be a whole number of at least 1, got 0');
  });
});
