import { describe, expect, it } from 'vitest';
import { type ChildRecord, createChildRegistry } from './index.ts';

const factory = '0x00000000000000000000000000000000000000fa';
const child = (n: number, block: number, creationId = `c${n}`): ChildRecord => ({
  address: `0x${n.toString(16).padStart(40, '0')}` as `0x${string}`,
  template: 'Pair',
  factory,
  block,
  creationId,
});

describe('child registry', () => {
  it('follows a child from the block of its creation event on, that block included', () => {
    const registry = createChildRegistry();
    expect(registry.add(child(1, 10))).toBe(true);
    expect(registry.childOf(child(1, 10).address, 9)).toBeUndefined();
    expect(registry.childOf(child(1, 10).address.toUpperCase(), 10)?.template).toBe('Pair');
    expect(registry.addressesUpTo(9)).toEqual([]);
    expect(registry.addressesUpTo(10)).toEqual([child(1, 10).address]);
  });

  it('keeps the first creation of an address and ignores a repeat', () => {
    const registry = createChildRegistry();
    registry.add(child(1, 10));
    expect(registry.add(child(1, 20, 'again'))).toBe(false);
    expect(registry.all()).toEqual([child(1, 10)]);
  });

  it('removes the children of a reorged-out creation event, and only them', () => {
    const registry = createChildRegistry();
    registry.add(child(1, 10, 'tx-a'));
    registry.add(child(2, 10, 'tx-a'));
    registry.add(child(3, 11, 'tx-b'));
    expect(registry.removeCreation('tx-a').map((record) => record.address)).toEqual([
      child(1, 10).address,
      child(2, 10).address,
    ]);
    expect(registry.size()).toBe(1);
    expect(registry.childOf(child(1, 10).address, 12)).toBeUndefined();
    expect(registry.removeCreation('tx-a')).toEqual([]);
    // A removed address may be created again (by a creation event on the new branch).
    expect(registry.add(child(1, 12, 'tx-c'))).toBe(true);
  });
});
