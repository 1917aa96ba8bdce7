import { type ChainEvent, multiBalanceField, undecodedCountField } from '../../../src/domain/index.ts';
import { zeroAddress } from './events.ts';

/** What the Redis projection of one contract must hold, as plain sorted records. */
export type ContractSnapshot = {
  balances: Record<string, string>;
  token: Record<string, string>;
  owners: Record<string, string>;
  tokensOf: Record<string, string[]>;
  multiBalances: Record<string, string>;
  counts: Record<string, string>;
};

/** Token kind per contract address, as in the processor's config. */
export type KindByAddress = Record<string, 'erc20' | 'erc721' | 'erc1155' | 'custom'>;

function sorted<T>(
  record: Map<string, T>,
  keep: (value: T) => boolean,
  show: (value: T) => string,
): Record<string, string> {
  return Object.fromEntries(
    [...record.entries()]
      .filter(([, value]) => keep(value))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, value]) => [key, show(value)]),
  );
}

/**
 * Computes each contract's expected projection from the canonical CONFIRMED events, with BigInt and
 * independently of the Lua code.
 */
export function referenceModel(events: ChainEvent[], kinds: KindByAddress): Record<string, ContractSnapshot> {
  const result: Record<string, ContractSnapshot> = {};
  const byContract = new Map<string, ChainEvent[]>();
  for (const event of events) {
    const list = byContract.get(event.address);
    if (list) list.push(event);
    else byContract.set(event.address, [event]);
  }
  for (const [address, contractEvents] of byContract) {
    const kind = kinds[address] ?? 'custom';
    const balances = new Map<string, bigint>();
    const owners = new Map<string, string>();
    const multi = new Map<string, bigint>();
    const counts = new Map<string, bigint>();
    let supply = 0n;
    let transfers = 0n;
    const add = (map: Map<string, bigint>, key: string, delta: bigint) =>
      map.set(key, (map.get(key) ?? 0n) + delta);
    for (const event of contractEvents) {
      add(counts, event.eventName ?? undecodedCountField, 1n);
      const arg = (name: string) => String(event.args[name]);
      const list = (name: string) => event.args[name] as string[];
      const from = arg('from').toLowerCase();
      const to = arg('to').toLowerCase();
      if (kind === 'erc20' && event.eventName === 'Transfer') {
        const value = BigInt(arg('value'));
        if (from === zeroAddress) supply += value;
        else add(balances, from, -value);
        if (to === zeroAddress) supply -= value;
        else add(balances, to, value);
        transfers++;
      } else if (kind === 'erc721' && event.eventName === 'Transfer') {
        const tokenId = BigInt(arg('tokenId')).toString();
        if (from === zeroAddress) supply++;
        else add(balances, from, -1n);
        if (to === zeroAddress) {
          supply--;
          owners.delete(tokenId);
        } else {
          add(balances, to, 1n);
          owners.set(tokenId, to);
        }
        transfers++;
      } else if (
        kind === 'erc1155' &&
        (event.eventName === 'TransferSingle' || event.eventName === 'TransferBatch')
      ) {
        const single = event.eventName === 'TransferSingle';
        const ids = single ? [arg('id')] : list('ids');
        const values = single ? [arg('value')] : list('values');
        ids.forEach((id, i) => {
          const value = BigInt(values[i]!);
          if (from !== zeroAddress) add(multi, multiBalanceField(BigInt(id).toString(), from), -value);
          if (to !== zeroAddress) add(multi, multiBalanceField(BigInt(id).toString(), to), value);
        });
        transfers++;
      }
    }
    const token: Record<string, string> = {};
    if (kind === 'erc20' || kind === 'erc721') {
      token.totalSupply = supply.toString();
      token.holders = String([...balances.values()].filter((value) => value > 0n).length);
    }
    if (kind !== 'custom' && transfers > 0n) token.transfers = transfers.toString();
    const tokensOf: Record<string, string[]> = {};
    for (const [tokenId, owner] of owners) {
      tokensOf[owner] ??= [];
      tokensOf[owner].push(tokenId);
    }
    for (const list of Object.values(tokensOf)) list.sort();
    result[address] = {
      balances: sorted(balances, (value) => value !== 0n, String),
      token,
      owners: sorted(owners, () => true, String),
      tokensOf: Object.fromEntries(Object.entries(tokensOf).sort(([a], [b]) => (a < b ? -1 : 1))),
      multiBalances: sorted(multi, (value) => value !== 0n, String),
      counts: sorted(counts, (value) => value !== 0n, String),
    };
  }
  return result;
}
