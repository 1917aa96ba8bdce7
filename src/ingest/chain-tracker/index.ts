import { zeroHash } from 'viem';
import type { ChainEvent } from '../../domain/index.ts';
import { RpcError } from '../../shared/errors/index.ts';
import { rpcErrorCodes } from '../rpc/classifyRpcError.ts';
import type { BlockHeader } from '../rpc/types.ts';

/** A block the tracker follows: confirmed (inside the reorg window) or not yet confirmed. */
export type TrackedBlock = {
  header: BlockHeader;
  confirmed: boolean;
  /**
   * Events published for this block: CONFIRMED ones for confirmed blocks, PENDING ones otherwise.
   * Undefined when unknown (window rebuilt from a checkpoint after a restart).
   */
  events: ChainEvent[] | undefined;
};

/** What a sync changed. */
export type SyncResult = {
  /** Blocks no longer canonical, ascending. */
  orphaned: TrackedBlock[];
  /** Number of the newest block shared by the old and the canonical chain (when something was orphaned). */
  ancestor: number | undefined;
  /** Newly tracked (unconfirmed) headers, ascending. */
  added: BlockHeader[];
};

/** Parameters of {@link createChainTracker}. */
export type CreateChainTrackerParameters = {
  /** Confirmed headers kept to detect and undo reorgs deeper than `confirmations`. */
  windowSize: number;
  getBlock: (block: number) => Promise<BlockHeader | undefined>;
  /** Headers fetched in parallel when catching up. Default 8. */
  concurrency?: number;
};

/**
 * Follows the canonical chain from the confirmed window to the head. Invariant: `blocks` is
 * contiguous by number and every block's `parentHash` is the hash of the one before it, so a head
 * that links to the tip proves the whole list canonical as of that head.
 */
export type ChainTracker = {
  /** Replaces the state with confirmed blocks (oldest first), e.g. rebuilt from a checkpoint. */
  seed(blocks: TrackedBlock[]): void;
  blocks(): readonly TrackedBlock[];
  tip(): TrackedBlock | undefined;
  lastConfirmed(): TrackedBlock | undefined;
  /** Reconciles with the canonical chain up to `head`. Throws a retriable RpcError if the chain moved meanwhile. */
  sync(head: BlockHeader): Promise<SyncResult>;
  /** Unconfirmed blocks at least `confirmations` below `head`, ascending. */
  confirmable(head: number, confirmations: number): TrackedBlock[];
  /** Marks a block confirmed with the events that were published for it and trims the window. */
  markConfirmed(blockNumber: number, events: ChainEvent[]): void;
};

/**
 * Whether `header` links to `parent`. Hardhat reports a zero parentHash for blocks mined in bulk by
 * `hardhat_mine` (a dev-chain quirk, never a real chain's): such a link is taken on trust, and the
 * hash comparisons of the walk-back still catch reorgs.
 */
function links(header: BlockHeader, parent: BlockHeader): boolean {
  return header.parentHash === parent.hash || (header.parentHash === zeroHash && header.number > 0);
}

function chainMoved(detail: string): RpcError {
  return new RpcError(`The chain moved while syncing: ${detail}`, {
    code: rpcErrorCodes.blockNotFound,
    retriable: true,
  });
}

/** Creates a head tracker; see {@link ChainTracker}. */
export function createChainTracker({
  windowSize,
  getBlock,
  concurrency = 8,
}: CreateChainTrackerParameters): ChainTracker {
  let list: TrackedBlock[] = [];

  const indexOf = (blockNumber: number): number => {
    const first = list[0];
    return first ? blockNumber - first.header.number : -1;
  };

  async function fetchRange(from: number, to: number, head: BlockHeader): Promise<BlockHeader[]> {
    const headers: BlockHeader[] = [];
    for (let start = from; start <= to; start += concurrency) {
      const end = Math.min(to, start + concurrency - 1);
      const numbers = Array.from({ length: end - start + 1 }, (_, i) => start + i);
      const chunk = await Promise.all(numbers.map((n) => (n === head.number ? head : getBlock(n))));
      for (const [i, header] of chunk.entries()) {
        if (!header) throw chainMoved(`block ${numbers[i]} is gone`);
        headers.push(header);
      }
    }
    return headers;
  }

  function trim(): void {
    let confirmed = 0;
    for (const block of list) if (block.confirmed) confirmed++;
    const excess = confirmed - windowSize;
    if (excess > 0) list = list.slice(excess);
  }

  return {
    seed(blocks) {
      list = [...blocks];
      trim();
    },
    blocks: () => list,
    tip: () => list[list.length - 1],
    lastConfirmed() {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.confirmed) return list[i];
      return undefined;
    },
    async sync(head) {
      const tip = list[list.length - 1];
      if (!tip) throw new Error('chain tracker used before seed()');
      let ancestorIndex = list.length - 1;
      let linked = false;
      if (head.number > tip.header.number) {
        const next = tip.header.number + 1 === head.number ? head : await getBlock(tip.header.number + 1);
        if (!next) throw chainMoved(`block ${tip.header.number + 1} is gone`);
        linked = links(next, tip.header);
        if (linked && next.parentHash !== tip.header.hash) {
          // Unverifiable link: check the tip itself instead.
          linked = (await getBlock(tip.header.number))?.hash === tip.header.hash;
        }
      }
      if (!linked) {
        // Walk back to the newest block whose hash the canonical chain still has.
        ancestorIndex = indexOf(Math.min(tip.header.number, head.number));
        while (ancestorIndex >= 0) {
          const ours = list[ancestorIndex]!.header;
          const canonical = ours.number === head.number ? head : await getBlock(ours.number);
          if (canonical?.hash === ours.hash) break;
          ancestorIndex--;
        }
        if (ancestorIndex < 0) {
          throw new RpcError(
            `Reorg deeper than the window of ${windowSize} confirmed blocks below block ${list[0]!.header.number}`,
            { code: 'REORG_TOO_DEEP', retriable: false },
          );
        }
      }
      const orphaned = list.slice(ancestorIndex + 1);
      const ancestor = list[ancestorIndex]!.header;
      const added =
        ancestor.number < head.number ? await fetchRange(ancestor.number + 1, head.number, head) : [];
      let previous = ancestor;
      for (const header of added) {
        if (!links(header, previous))
          throw chainMoved(`block ${header.number} does not link to ${previous.number}`);
        previous = header;
      }
      list = list.slice(0, ancestorIndex + 1);
      for (const header of added) list.push({ header, confirmed: false, events: undefined });
      return { orphaned, ancestor: orphaned.length > 0 ? ancestor.number : undefined, added };
    },
    confirmable(head, confirmations) {
      return list.filter((block) => !block.confirmed && block.header.number <= head - confirmations);
    },
    markConfirmed(blockNumber, events) {
      const block = list[indexOf(blockNumber)];
      if (!block) throw new Error(`block ${blockNumber} is not tracked`);
      block.confirmed = true;
      block.events = events;
      trim();
    },
  };
}
