import { describe, expect, it } from 'vitest';
import { hashSlotCount, keySlot, slotTag } from './keySlot.ts';

describe('keySlot', () => {
  it('gives the slots Redis documents for CLUSTER KEYSLOT', () => {
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('bar{hash_tag}')).toBe(2515);
    expect(keySlot('123456789')).toBe(0x31c3 % hashSlotCount);
  });

  it('hashes the whole key when the braces hold nothing', () => {
    expect(keySlot('a{}b')).not.toBe(keySlot(''));
    expect(keySlot('{}x')).toBe(keySlot('{}x'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
  });
});

describe('slotTag', () => {
  it('has a tag for every slot that hashes to it', () => {
    for (let slot = 0; slot < hashSlotCount; slot += 97) expect(keySlot(`x{${slotTag(slot)}}y`)).toBe(slot);
    expect(keySlot(`{${slotTag(hashSlotCount - 1)}}`)).toBe(hashSlotCount - 1);
  });

  it('refuses a slot out of range, naming it', () => {
    expect(() => slotTag(hashSlotCount)).toThrow(/16384/);
  });
});
