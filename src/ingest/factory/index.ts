/** A contract created by a factory and followed under its template. */
export type ChildRecord = {
  /** Lower-case. */
  address: `0x${string}`;
  /** Name of the template contract entry it is followed as. */
  template: string;
  /** The factory that created it (lower-case). */
  factory: `0x${string}`;
  /** Block of the creation event: the child's logs are followed from this block on. */
  block: number;
  /** Id of the creation event; a REMOVED of it removes the child. */
  creationId: string;
};

/**
 * The children of a chain's factories known to the ingestor. A child's logs count from the block of
 * its creation event on, that block included (a constructor may log before the factory's event in
 * the same transaction).
 */
export type ChildRegistry = {
  /** Adds a child of a CONFIRMED creation event; false when the address is followed already. */
  add(child: ChildRecord): boolean;
  /** Removes a child by address (a tombstone of the children topic); returns it. */
  remove(address: string): ChildRecord | undefined;
  /** Removes the children of a creation event that was REMOVED (reorged out); returns them. */
  removeCreation(creationId: string): ChildRecord[];
  /** The children whose logs a range ending at `toBlock` needs (created at or before it). */
  addressesUpTo(toBlock: number): `0x${string}`[];
  /** The child a log of `address` in `blockNumber` belongs to, if it was created by then. */
  childOf(address: string, blockNumber: number): ChildRecord | undefined;
  /** Every child, in creation order. */
  all(): ChildRecord[];
  size(): number;
};

/** Creates an empty {@link ChildRegistry}. */
export function createChildRegistry(): ChildRegistry {
  const byAddress = new Map<string, ChildRecord>();
  const byCreation = new Map<string, ChildRecord[]>();
  return {
    add(child) {
      const address = child.address.toLowerCase() as `0x${string}`;
      if (byAddress.has(address)) return false;
      const record = { ...child, address, factory: child.factory.toLowerCase() as `0x${string}` };
      byAddress.set(address, record);
      const siblings = byCreation.get(record.creationId) ?? [];
      siblings.push(record);
      byCreation.set(record.creationId, siblings);
      return true;
    },
    remove(address) {
      const child = byAddress.get(address.toLowerCase());
      if (!child) return undefined;
      byAddress.delete(child.address);
      const siblings = (byCreation.get(child.creationId) ?? []).filter((other) => other !== child);
      if (siblings.length > 0) byCreation.set(child.creationId, siblings);
      else byCreation.delete(child.creationId);
      return child;
    },
    removeCreation(creationId) {
      const removed = byCreation.get(creationId) ?? [];
      byCreation.delete(creationId);
      for (const child of removed) byAddress.delete(child.address);
      return removed;
    },
    addressesUpTo(toBlock) {
      const addresses: `0x${string}`[] = [];
      for (const child of byAddress.values()) if (child.block <= toBlock) addresses.push(child.address);
      return addresses;
    },
    childOf(address, blockNumber) {
      const child = byAddress.get(address.toLowerCase());
      return child && child.block <= blockNumber ? child : undefined;
    },
    all: () => [...byAddress.values()],
    size: () => byAddress.size,
  };
}
