import { randomBytes } from 'node:crypto';

/**
 * A short random id, `<prefix>-<8 hex>` (e.g. `t-3f9a0c1d`), for topic prefixes, consumer group ids
 * and Redis key prefixes: every test gets its own, so parallel and repeated runs never collide.
 */
export function randomId(prefix = 't'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
