import { describe, expect, it } from 'vitest';
import { isPoisonRedisError } from './isPoisonRedisError.ts';

describe('isPoisonRedisError', () => {
  it('dead-letters a key of the wrong type', () => {
    expect(
      isPoisonRedisError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')),
    ).toBe(true);
  });

  it('retries a bug in a script instead of dead-lettering the events', () => {
    expect(
      isPoisonRedisError(new Error('BWRETRY user_script:120: attempt to perform arithmetic on a nil value')),
    ).toBe(false);
    expect(
      isPoisonRedisError(
        new Error('ERR user_script:7: Script attempted to access nonexistent global variable script: 1f2e'),
      ),
    ).toBe(false);
  });

  it('retries an unavailable Redis', () => {
    expect(isPoisonRedisError(new Error('LOADING Redis is loading the dataset in memory'))).toBe(false);
  });
});
