/** Parameters of {@link createRangeSizer}. */
export type CreateRangeSizerParameters = {
  /** Largest range in blocks (the chain's `maxBlockRange`). */
  max: number;
  /** First range. Default: `max`. */
  initial?: number;
  /** Growth factor after `growAfter` successes in a row. Default 1.5. */
  growFactor?: number;
  /** Successes in a row before growing. Default 3. */
  growAfter?: number;
};

/**
 * Adaptive `eth_getLogs` block range: halves below a refused range at once, grows slowly after
 * successes, never leaves [1, max].
 */
export type RangeSizer = {
  size(): number;
  /** A range of `blocks` succeeded. */
  succeeded(blocks: number): void;
  /** A range of `blocks` was refused (too many results, too large, timeout). */
  refused(blocks: number): void;
};

/** Creates an adaptive range sizer; see {@link RangeSizer}. */
export function createRangeSizer({
  max,
  initial = max,
  growFactor = 1.5,
  growAfter = 3,
}: CreateRangeSizerParameters): RangeSizer {
  let current = Math.max(1, Math.min(max, initial));
  let streak = 0;
  return {
    size: () => current,
    succeeded(blocks) {
      // Only a success at (or near) the current size is evidence that a larger range would work.
      if (blocks < current / 2) return;
      streak++;
      if (streak >= growAfter) {
        streak = 0;
        current = Math.min(max, Math.max(current + 1, Math.floor(current * growFactor)));
      }
    },
    refused(blocks) {
      streak = 0;
      current = Math.max(1, Math.min(current, Math.floor(blocks / 2)));
    },
  };
}
