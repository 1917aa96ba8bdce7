import {
  accountChannel,
  type ChainEvent,
  contractChannel,
  contractKeys,
  encodeEvent,
  epochKey,
  ownerTokensKey,
} from '../domain/index.ts';
import type { AbiKind } from '../shared/config/index.ts';
import { accountsOf } from './accountsOf.ts';
import { projectionOf } from './projectionOf.ts';

/** Settings every apply call carries. */
export type ApplySettings = {
  keyPrefix: string;
  epoch: string;
  journalMaxEntries: number;
  /** Blocks within which applied events stay reversible by REMOVED. */
  reorgWindowBlocks: number;
};

/** Parameters of {@link prepareApply}. */
export type PrepareApplyParameters = {
  event: ChainEvent;
  abiKind: AbiKind | undefined;
  settings: ApplySettings;
};

/** KEYS followed by ARGV of the apply script, or why the event cannot be applied. */
export type PrepareApplyResult =
  | { ok: true; keysAndArgs: (string | number)[] }
  | { ok: false; reason: string };

const zeroAddress = '0x0000000000000000000000000000000000000000';
const undecodedCountField = '__undecoded';

/**
 * Builds the apply script call of one event: every key it touches (all under the contract's hash
 * tag, plus the epoch marker), the projection payload and the channel names to publish on.
 */
export function prepareApply({ event, abiKind, settings }: PrepareApplyParameters): PrepareApplyResult {
  const projection = projectionOf(event, abiKind);
  if (!projection.ok) return projection;
  const { keyPrefix } = settings;
  const { chainId, address } = event;
  const keys = contractKeys(keyPrefix, chainId, address);
  const { kind, payload } = projection.value;
  const from = kind === 'erc721' ? payload[0]! : zeroAddress;
  const to = kind === 'erc721' ? payload[1]! : zeroAddress;
  const channels = [
    contractChannel(keyPrefix, chainId, address),
    ...accountsOf(event).map((account) => accountChannel(keyPrefix, chainId, account)),
  ];
  return {
    ok: true,
    keysAndArgs: [
      epochKey(keyPrefix),
      keys.meta,
      keys.applied,
      keys.appliedIndex,
      keys.removed,
      keys.journal,
      keys.counts,
      keys.token,
      keys.balances,
      keys.owners,
      keys.multiBalances,
      ownerTokensKey(keyPrefix, chainId, address, from),
      ownerTokensKey(keyPrefix, chainId, address, to),
      settings.epoch,
      event.id,
      event.status,
      event.blockNumber,
      event.logIndex,
      encodeEvent(event),
      event.decoded && event.eventName ? event.eventName : undecodedCountField,
      settings.journalMaxEntries,
      settings.reorgWindowBlocks,
      kind,
      payload.length,
      ...payload,
      channels.length,
      ...channels,
    ],
  };
}
