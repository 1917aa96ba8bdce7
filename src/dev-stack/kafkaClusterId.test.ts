import { describe, expect, it } from 'vitest';
import { kafkaClusterId } from './kafkaClusterId.ts';

describe('kafkaClusterId', () => {
  it('is 22 base64url characters encoding 16 bytes', () => {
    const id = kafkaClusterId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
  });

  it('never starts with a dash, which the Kafka tools would read as an option', () => {
    const dashFirst = Buffer.from('f8'.padEnd(32, '0'), 'hex');
    const sources = [dashFirst, Buffer.alloc(16, 7)];
    const id = kafkaClusterId(() => sources.shift() ?? Buffer.alloc(16, 1));
    expect(dashFirst.toString('base64url').startsWith('-')).toBe(true);
    expect(id.startsWith('-')).toBe(false);
  });
});
