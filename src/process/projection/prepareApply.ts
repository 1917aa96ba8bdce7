import { zeroAddress } from '../../domain/evm.ts';
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
  /** The event's JSON when the caller has it (its text in the Kafka record); encoded here otherwise. */
  json?: string | undefined;
};

/** One event ready for the apply script: its contract and what its three ARGV entries are built from. */
export type PreparedEvent = {
  /** `<chainId>:<address>`: events of one contract are applied in one call, in order. */
  contract: string;
  chainId: number;
  address: string;
  /** ERC-721 holders whose tokens-of sets the event touches (from, to); the zero address is nobody. */
  owners: [from: string | undefined, to: string | undefined] | undefined;
  /** The entity changes of the event; {@link buildApplyCall} adds the KEYS indexes they write. */
  entityOps: EntityOp[];
  id: string;
  /** The event's JSON: its journal entry and what its channel messages carry. */
  json: string;
  /** What REMOVED reverses: `[kind, count field, payload]` as JSON. */
  effect: string;
  /**
   * The record's fields up to the tokens-of KEYS indexes (id, status, block number, log index, count
   * field, projection kind), then the payload and the accounts; {@link buildApplyCall} turns them
   * into the record's JSON with the KEYS indexes. Every one of these strings but the count field
   * is plain: a validated event id, a status, decimals, lower-case hex addresses, nothing JSON
   * escapes (see {@link plainStrings}).
   */
  fields: [
    id: string,
    status: string,
    blockNumber: string,
    logIndex: string,
    countField: string,
    kind: string,
  ];
  payload: string[];
  /** The distinct accounts (lower case) whose channels get the event. */
  accounts: string[];
};

/**
 * The JSON array of `values`, strings that JSON does not escape (validated ids, statuses, decimals,
 * lower-case hex), written by joining them: a third of the time of `JSON.stringify`, for what the
 * processor writes for every event.
 */
function plainStrings(values: readonly string[]): string {
  return values.length === 0 ? '[]' : `["${values.join('","')}"]`;
}

/** The zero address is nobody (no tokens-of set). */
const nobody = (account: string) => (account === zeroAddress ? undefined : account);

/** An event prepared for the apply script, or why it cannot be applied. */
export type PrepareApplyResult = { ok: true; value: PreparedEvent } | { ok: false; reason: string };

/**
 * Prepares one event for the apply script: the projection payload (and the effect REMOVED reverses),
 * the count field, the journal entry and the accounts whose channels it is published on.
 */
export function prepareApply({
  event,
  abiKind,
  projections = [],
  json,
}: PrepareApplyParameters): PrepareApplyResult {
  const projection = projectionOf(event, abiKind);
  if (!projection.ok) return projection;
  const entityOps = entityOpsOf(event, projections);
  if (!entityOps.ok) return entityOps;
  const { kind, payload } = projection.value;
  const countField = event.decoded && event.eventName ? event.eventName : undecodedCountField;
  return {
    ok: true,
    value: {
      contract: eventKey(event.chainId, event.address),
      chainId: event.chainId,
      address: event.address,
      owners: kind === 'erc721' ? [nobody(payload[0]!), nobody(payload[1]!)] : undefined,
      entityOps: entityOps.value,
      id: event.id,
      json: json ?? encodeEvent(event),
      effect: `["${kind}",${JSON.stringify(countField)},${plainStrings(payload)}]`,
      fields: [event.id, event.status, String(event.blockNumber), String(event.logIndex), countField, kind],
      payload,
      accounts: accountsOf(event),
    },
  };
}

/**
 * The KEYS and ARGV (preceded by the number of keys) of one apply call over a run of events of one
 * contract, in the order given: the contract's keys under its hash tag, the epoch marker, and the
 * tokens-of sets of the ERC-721 holders involved. Each event takes three ARGV entries: its record
 * (one JSON array of its small fields, so a call has few arguments to send and parse), its JSON and
 * its effect.
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
  // An entity change as the script reads it: the KEYS indexes of what it writes and the change itself
  // (see apply.lua).
  const entityOpEntry = (op: EntityOp) => {
    const projection = projectionKeys(keyPrefix, first.chainId, first.address, op.projection);
    return {
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
    };
  };
  const records: string[] = [];
  for (const event of run) {
    if (event.contract !== first.contract)
      throw new Error(`buildApplyCall got events of ${first.contract} and ${event.contract}`);
    const from = event.owners ? ownerIndex(event.owners[0]) : 0;
    const to = event.owners ? ownerIndex(event.owners[1]) : 0;
    const ops = event.entityOps.length ? JSON.stringify(event.entityOps.map(entityOpEntry)) : '[]';
    const [id, status, blockNumber, logIndex, countField, kind] = event.fields;
    records.push(
      `["${id}","${status}","${blockNumber}","${logIndex}",${JSON.stringify(countField)},"${kind}",${from},${to},${plainStrings(event.payload)},${plainStrings(event.accounts)},${ops}]`,
      event.json,
      event.effect,
    );
  }
  const call: (string | number)[] = [allKeys.length];
  for (const key of allKeys) call.push(key);
  call.push(
    settings.epoch,
    settings.journalMaxEntries,
    settings.reorgWindowBlocks,
    contractChannel(keyPrefix, first.chainId, first.address),
    accountChannelPrefix(keyPrefix, first.chainId, first.address),
    run.length,
  );
  for (const record of records) call.push(record);
  return call;
}
