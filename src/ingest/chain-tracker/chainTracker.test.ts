import { describe, expect, it } from 'vitest';
import type { BlockHeader } from '../rpc/types.ts';
import { createChainTracker } from './index.ts';

const hash = (label: string) =>
  `0x${Buffer.from(label).toString('hex').padEnd(64, '0').slice(0, 64)}` as `0x${string}`;

/** A fake node whose canonical chain can be rewritten from any height. */
function fakeChain(length: number) {
  const blocks: BlockHeader[] = [];
  const build = (from: number, to: number, branch: string) => {
    blocks.length = from;
    for (let n = from; n <= to; n++) {
      blocks.push({
        number: n,
        hash: hash(`${branch}${n}`),
        parentHash: n === 0 ? hash('genesis-parent') : blocks[n - 1]!.hash,
        timestamp: n,
      });
    }
  };
  build(0, length, 'a');
  return {
    getBlock: async (n: number) => blocks[n],
    head: () => blocks[blocks.length - 1]!,
    reorg: (from: number, to: number, branch: string) => build(from, to, branch),
  };
}

describe('createChainTracker', () => {
  it('extends along parent links and reports new headers', async () => {
    const chain = fakeChain(10);
    const tracker = createChainTracker({ windowSize: 4, getBlock: chain.getBlock });
    tracker.seed([{ header: (await chain.getBlock(5))!, confirmed: true, events: [] }]);
    const result = await tracker.sync(chain.head());
    expect(result.orphaned).toEqual([]);
    expect(result.added.map((h) => h.number)).toEqual([6, 7, 8, 9, 10]);
    expect(tracker.confirmable(10, 3).map((b) => b.header.number)).toEqual([6, 7]);
  });

  it('walks back to the common ancestor on a reorg of the same height', async () => {
    const chain = fakeChain(10);
    const tracker = createChainTracker({ windowSize: 4, getBlock: chain.getBlock });
    tracker.seed([{ header: (await chain.getBlock(5))!, confirmed: true, events: [] }]);
    await tracker.sync(chain.head());
    chain.reorg(8, 10, 'b');
    const result = await tracker.sync(chain.head());
    expect(result.ancestor).toBe(7);
    expect(result.orphaned.map((b) => b.header.hash)).toEqual([hash('a8'), hash('a9'), hash('a10')]);
    expect(result.added.map((h) => h.hash)).toEqual([hash('b8'), hash('b9'), hash('b10')]);
  });

  it('handles a chain that got shorter and reports orphaned confirmed blocks of a deep reorg', async () => {
    const chain = fakeChain(10);
    const tracker = createChainTracker({ windowSize: 8, getBlock: chain.getBlock });
    tracker.seed([{ header: (await chain.getBlock(2))!, confirmed: true, events: [] }]);
    await tracker.sync(chain.head());
    for (const block of tracker.confirmable(10, 2)) tracker.markConfirmed(block.header.number, []);
    chain.reorg(6, 7, 'c');
    const result = await tracker.sync(chain.head());
    expect(result.ancestor).toBe(5);
    expect(result.orphaned.filter((b) => b.confirmed).map((b) => b.header.number)).toEqual([6, 7, 8]);
    expect(tracker.tip()?.header.hash).toBe(hash('c7'));
  });

  it('keeps at most windowSize confirmed headers', async () => {
    const chain = fakeChain(20);
    const tracker = createChainTracker({ windowSize: 3, getBlock: chain.getBlock });
    tracker.seed([{ header: (await chain.getBlock(0))!, confirmed: true, events: [] }]);
    await tracker.sync(chain.head());
    for (const block of tracker.confirmable(20, 0)) tracker.markConfirmed(block.header.number, []);
    expect(tracker.blocks().map((b) => b.header.number)).toEqual([18, 19, 20]);
  });

  it('refuses a reorg deeper than the window instead of guessing', async () => {
    const chain = fakeChain(10);
    const tracker = createChainTracker({ windowSize: 2, getBlock: chain.getBlock });
    tracker.seed([{ header: (await chain.getBlock(8))!, confirmed: true, events: [] }]);
    chain.reorg(3, 12, 'd');
    await expect(tracker.sync(chain.head())).rejects.toMatchObject({ code: 'REORG_TOO_DEEP' });
  });
});
