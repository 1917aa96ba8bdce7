/** Hash slots of Redis Cluster. */
export const hashSlotCount = 16384;

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

const encoder = new TextEncoder();

/**
 * The Redis Cluster hash slot of a key: of its hash tag (the text between the first `{` and the next
 * `}`, when not empty), otherwise of the whole key.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(encoder.encode(key.slice(open + 1, close))) % hashSlotCount;
  }
  return crc16(encoder.encode(key)) % hashSlotCount;
}

let tags: string[] | undefined;

/**
 * A short hash tag whose slot is `slot`, the same for every process: the first of `0`, `1`, … (base
 * 36) that hashes to it. Keys written with it land in that slot, beside whatever else hashes there.
 */
export function slotTag(slot: number): string {
  if (!tags) {
    const found: (string | undefined)[] = new Array(hashSlotCount);
    let missing = hashSlotCount;
    for (let i = 0; missing > 0; i++) {
      const tag = i.toString(36);
      const at = crc16(encoder.encode(tag)) % hashSlotCount;
      if (found[at] === undefined) {
        found[at] = tag;
        missing--;
      }
    }
    tags = found as string[];
  }
  const tag = tags[slot];
  if (tag === undefined)
    throw new RangeError(`slot must be an integer from 0 to ${hashSlotCount - 1}, got ${slot}`);
  return tag;
}
