import { zeroAddress } from 'viem';
import {
  accountChannelPrefix,
  type ChainEvent,
  contractChannel,
  contractKeys,
  encodeEvent,
  entityChannel,
  entityKey,
  epochKey,
  eventKey,
  keySlot,
  ownerTokensKey,
  projectionKeys,
  slotEpochKey,
  undecodedCountField,
} from '../../domain/index.ts';
import type { AbiKind, ResolvedProjection } from '../../shared/config/index.ts';
import { accountsOf } from './accountsOf.ts';
import { type EntityOp, entityOpsOf } from './entityOpsOf.ts';
import { projectionOf } from './projectionOf.ts';

/** Settings every apply call carries. */
export type ApplySettings = {
  keyPrefix: string;
  epoch: string;
  journalMaxEntries: number;
  /** Blocks within which applied events stay reversible by REMOVED. */
  reorgWindowBlocks: number;
  /**
   * Redis Cluster: the apply script reads the epoch from the copy in the contract's own hash slot
   * ({@link slotEpochKey}) instead of the one marker, which lives in another slot.
   */
  slotEpochs?: boolean;
};

/** Parameters of {@link prepareApply}. */
export type PrepareApplyParameters = {
  event: ChainEvent;
  abiKind: AbiKind | undefined;
  /** The contract's projections (custom state); none by default. */
  projections?: readonly ResolvedProjection[] | undefined;
  keyPrefix: string;
};

/** One event ready for the apply script: its contract and its record in the script's ARGV. */
export type PreparedEvent = {
  /** `<chainId>:<address>`: events of one contract are applied in one call, in order. */
  contract: string;
  chainId: number;
  address: string;
  /** ERC-721 holders whose tokens-of sets the event touches (from, to); the zero address is nobody. */
  owners: [from: string | undefined, to: string | undefined] | undefined;
  /** The entity changes of the event; their ARGV entries are filled in by {@link buildApplyCall}. */
  entityOps: EntityOp[];
  /**
   * The event's ARGV record; the two tokens-of KEYS indexes and the entity changes (which name KEYS
   * indexes) are filled in by {@link buildApplyCall}.
   */
  record: (string | number)[];
};

/** An event prepared for the apply script, or why it cannot be applied. */
export type PrepareApplyResult = { ok: true; value: PreparedEvent } | { ok: false; reason: string };

/** Position of the `from` tokens-of index in a record (the `to` index follows). */
const ownerIndexSlot = 8;

/**
 * Builds the apply script record of one event: the projection payload (what REMOVED reverses), the
 * count field, the journal entry and the accounts whose channels it is published on.
 */
export function prepareApply({
  event,
  abiKind,
  projections = [],
  keyPrefix,
}: PrepareApplyParameters): PrepareApplyResult {
  const projection = projectionOf(event, abiKind);
  if (!projection.ok) return projection;
  const entityOps = entityOpsOf(event, projections);
  if (!entityOps.ok) return entityOps;
  const { kind, payload } = projection.value;
  const countField = event.decoded && event.eventName ? event.eventName : undecodedCountField;
  const nobody = (account: string) => (account === zeroAddress ? undefined : account);
  const accounts = accountsOf(event);
  return {
    ok: true,
    value: {
      contract: eventKey(event.chainId, event.address),
      chainId: event.chainId,
      address: event.address,
      owners: kind === 'erc721' ? [nobody(payload[0]!), nobody(payload[1]!)] : undefined,
      entityOps: entityOps.value,
      record: [
        event.id,
        event.status,
        event.blockNumber,
        event.logIndex,
        encodeEvent(event),
        countField,
        kind,
        JSON.stringify([kind, countField, payload]),
        0,
        0,
        payload.length,
        ...payload,
        accounts.length,
        ...accounts,
        entityOps.value.length,
        ...entityOps.value.map(() => ''),
      ],
    },
  };
}

/**
 * The KEYS and ARGV (preceded by the number of keys) of one apply call over a run of events of one
 * contract, in the order given: the contract's keys under its hash tag, the epoch marker, and the
 * tokens-of sets of the ERC-721 holders involved.
 */
export function buildApplyCall(run: readonly PreparedEvent[], settings: ApplySettings): (string | number)[] {
  const first = run[0];
  if (!first) throw new Error('buildApplyCall needs at least one event');
  const { keyPrefix } = settings;
  const keys = contractKeys(keyPrefix, first.chainId, first.address);
  const allKeys: string[] = [
    settings.slotEpochs ? slotEpochKey(keyPrefix, keySlot(keys.meta)) : epochKey(keyPrefix),
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
  ];
  const ownerIndexes = new Map<string, number>();
  const ownerIndex = (owner: string | undefined): number => {
    if (owner === undefined) return 0;
    let index = ownerIndexes.get(owner);
    if (index === undefined) {
      allKeys.push(ownerTokensKey(keyPrefix, first.chainId, first.address, owner));
      index = allKeys.length;
      ownerIndexes.set(owner, index);
    }
    return index;
  };
  const keyIndexes = new Map<string, number>();
  const keyIndex = (key: string): number => {
    let index = keyIndexes.get(key);
    if (index === undefined) {
      allKeys.push(key);
      index = allKeys.length;
      keyIndexes.set(key, index);
    }
    return index;
  };
  // One entry of the script's ARGV per entity change: the KEYS indexes of what it writes and the
  // change itself (see apply.lua).
  const entityOpArg = (op: EntityOp): string => {
    const projection = projectionKeys(keyPrefix, first.chainId, first.address, op.projection);
    return JSON.stringify({
      p: op.projection,
      k: op.key,
      h: keyIndex(entityKey(keyPrefix, first.chainId, first.address, op.projection, op.key)),
      x: keyIndex(projection.index),
      j: keyIndex(projection.journal),
      c: entityChannel(keyPrefix, first.chainId, first.address, op.projection),
      f: op.keyFields.flat(),
      s: op.set.flat(),
      a: op.add.flat(),
      d: op.delete,
    });
  };
  const records: (string | number)[] = [];
  for (const event of run) {
    if (event.contract !== first.contract)
      throw new Error(`buildApplyCall got events of ${first.contract} and ${event.contract}`);
    const start = records.length;
    for (const field of event.record) records.push(field);
    if (event.owners) {
      records[start + ownerIndexSlot] = ownerIndex(event.owners[0]);
      records[start + ownerIndexSlot + 1] = ownerIndex(event.owners[1]);
    }
    const opsAt = records.length - event.entityOps.length;
    event.entityOps.forEach((op, index) => {
      records[opsAt + index] = entityOpArg(op);
    });
  }
  return [
    allKeys.length,
    ...allKeys,
    settings.epoch,
    settings.journalMaxEntries,
    settings.reorgWindowBlocks,
    contractChannel(keyPrefix, first.chainId, first.address),
    accountChannelPrefix(keyPrefix, first.chainId, first.address),
    run.length,
    ...records,
  ];
}
