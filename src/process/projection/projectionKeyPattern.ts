import { contractKeys } from '../../domain/index.ts';

/**
 * SCAN pattern matching every per-contract key under a key prefix. Derived from `contractKeys` (the
 * part before the hash tag) so the layout stays defined in `domain/names.ts` only.
 */
export function projectionKeyPattern(keyPrefix: string): string {
  const sample = contractKeys(keyPrefix, 1, '0x').meta;
  const base = sample.slice(0, sample.indexOf('{'));
  return `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
}
