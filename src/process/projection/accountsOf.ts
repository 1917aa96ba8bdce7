import { isAddress, zeroAddress } from '../../domain/evm.ts';
import type { ChainEvent } from '../../domain/index.ts';

const accountArgs = ['from', 'to', 'operator', 'owner', 'spender', 'account'] as const;

/**
 * The distinct accounts (lower-case) an event involves, whose account channels get it: the
 * from/to/operator of transfers and owner/spender/account of approvals. The zero address of mints
 * and burns is nobody's account.
 */
export function accountsOf(event: ChainEvent): string[] {
  if (!event.decoded) return [];
  const accounts = new Set<string>();
  for (const name of accountArgs) {
    const value = event.args[name];
    if (typeof value === 'string' && isAddress(value, { strict: false })) {
      const account = value.toLowerCase();
      if (account !== zeroAddress) accounts.add(account);
    }
  }
  return [...accounts];
}
