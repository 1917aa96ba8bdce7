import { inject } from 'vitest';
import type { StackInfo } from '../setup/globalSetup.ts';

export type { StackInfo } from '../setup/globalSetup.ts';

/** Endpoints of the shared stack started by `test/setup/globalSetup.ts` (Kafka, Redis, Hardhat). */
export function getStack(): StackInfo {
  return inject('stack');
}
