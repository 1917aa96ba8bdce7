import { describe, expect, it } from 'vitest';
import { decodeResumeToken, encodeResumeToken } from './resumeToken.ts';

const a = `31337:0x${'a'.repeat(40)}`;
const b = `31337:0x${'b'.repeat(40)}`;

describe('resume tokens', () => {
  it('round-trips one position per contract', () => {
    const token = encodeResumeToken({ [b]: '12-0', [a]: '10-3' });
    expect(token).toMatch(/^rt1\.[A-Za-z0-9_-]+$/);
    expect(decodeResumeToken(token)).toEqual({ [a]: '10-3', [b]: '12-0' });
  });

  it('encodes equal position maps to the same token whatever the insertion order', () => {
    expect(encodeResumeToken({ [a]: '1-0', [b]: '2-0' })).toBe(encodeResumeToken({ [b]: '2-0', [a]: '1-0' }));
  });

  it('rejects tampered or foreign strings', () => {
    expect(decodeResumeToken('12-3')).toBeUndefined();
    expect(decodeResumeToken('rt1.!!!')).toBeUndefined();
    const bad = `rt1.${Buffer.from(JSON.stringify([[a, 'x-1']])).toString('base64url')}`;
    expect(decodeResumeToken(bad)).toBeUndefined();
    const badKey = `rt1.${Buffer.from(JSON.stringify([['nope', '1-1']])).toString('base64url')}`;
    expect(decodeResumeToken(badKey)).toBeUndefined();
  });
});
