import { type Abi, type AbiEvent, decodeEventLog, toEventSelector, toEventSignature } from 'viem';
import type { ChainEvent, EventStatus, JsonValue } from '../domain/index.ts';
import { eventId, eventMessageVersion } from '../domain/index.ts';
import { compileStaticEventDecoder, type StaticEventDecoder } from './compileStaticEventDecoder.ts';
import type { RawLog } from './rpc/types.ts';
import { toJsonValue } from './toJsonValue.ts';

/** Turns a raw log of a tracked contract into a {@link ChainEvent}. */
export type LogDecoder = (log: RawLog, blockTimestamp: number, status: EventStatus) => ChainEvent;

/** Parameters of {@link createLogDecoder}. */
export type CreateLogDecoderParameters = {
  chainId: number;
  contracts: { address: `0x${string}`; abi: Abi }[];
  /** Factory templates: a log of another address decodes with the ABI of the template `templateOf` names. */
  templates?: { name: string; abi: Abi }[];
  /** The template a log's (non-configured) address is followed under, if any. */
  templateOf?: (log: RawLog) => string | undefined;
  /** Called for every log that does not decode with its contract's ABI. */
  onUndecoded?: (log: RawLog) => void;
};

type Candidate = { item: AbiEvent; signature: string; fast: StaticEventDecoder | undefined };

/**
 * Builds a decoder for the contracts of one chain. Events are indexed by topic0 once, so decoding
 * a log does not scan the ABI; ERC-20 and ERC-721 `Transfer` share topic0 and are told apart by
 * trying each candidate (the indexed-argument count differs). A log that matches nothing is kept
 * with its raw topics and data and `decoded: false`.
 */
export function createLogDecoder({
  chainId,
  contracts,
  templates = [],
  templateOf,
  onUndecoded,
}: CreateLogDecoderParameters): LogDecoder {
  const candidatesOf = (abi: Abi) => {
    const bySelector = new Map<string, Candidate[]>();
    for (const item of abi) {
      if (item.type !== 'event' || item.anonymous) continue;
      const selector = toEventSelector(item);
      const list = bySelector.get(selector) ?? [];
      list.push({ item, signature: toEventSignature(item), fast: compileStaticEventDecoder(item) });
      bySelector.set(selector, list);
    }
    return bySelector;
  };
  const byAddress = new Map<string, Map<string, Candidate[]>>();
  for (const contract of contracts) byAddress.set(contract.address.toLowerCase(), candidatesOf(contract.abi));
  const byTemplate = new Map(templates.map((template) => [template.name, candidatesOf(template.abi)]));

  /** The event with its decoding; one object literal, in the field order of the message. */
  const eventOf = (
    log: RawLog,
    blockTimestamp: number,
    status: EventStatus,
    eventName: string | null,
    signature: string | null,
    decoded: boolean,
    args: Record<string, JsonValue>,
  ): ChainEvent => ({
    v: eventMessageVersion,
    id: eventId({ chainId, blockHash: log.blockHash, logIndex: log.logIndex }),
    status,
    chainId,
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    blockTimestamp,
    transactionHash: log.transactionHash,
    transactionIndex: log.transactionIndex,
    logIndex: log.logIndex,
    address: log.address,
    topics: log.topics,
    data: log.data,
    eventName,
    signature,
    decoded,
    args,
  });

  const decode = (
    log: RawLog,
    blockTimestamp: number,
    status: EventStatus,
    bySelector: Map<string, Candidate[]> | undefined,
  ): ChainEvent => {
    const topic0 = log.topics[0];
    const lowerTopic0 = topic0?.toLowerCase();
    const candidates = lowerTopic0 ? bySelector?.get(lowerTopic0) : undefined;
    if (candidates) {
      for (const candidate of candidates) {
        // viem matches topic0 case-sensitively; the compiled decoder takes only what viem would match.
        const fast = topic0 === lowerTopic0 ? candidate.fast?.(log.topics, log.data) : undefined;
        if (fast === 'mismatch') continue;
        if (fast)
          return eventOf(
            log,
            blockTimestamp,
            status,
            candidate.item.name,
            candidate.signature,
            true,
            fast.args,
          );
        try {
          const decoded = decodeEventLog({
            abi: [candidate.item],
            data: log.data,
            topics: log.topics as [`0x${string}`, ...`0x${string}`[]],
            strict: true,
          });
          const args = toJsonValue(decoded.args ?? {});
          return eventOf(
            log,
            blockTimestamp,
            status,
            decoded.eventName ?? candidate.item.name,
            candidate.signature,
            true,
            (Array.isArray(args) ? { ...args } : args) as Record<string, JsonValue>,
          );
        } catch {
          // Try the next candidate with the same selector (different indexed layout).
        }
      }
    }
    onUndecoded?.(log);
    return eventOf(log, blockTimestamp, status, null, null, false, {});
  };

  return (log, blockTimestamp, status) => {
    const own = byAddress.get(log.address);
    if (own !== undefined || templateOf === undefined) return decode(log, blockTimestamp, status, own);
    const template = templateOf(log);
    const event = decode(log, blockTimestamp, status, template ? byTemplate.get(template) : undefined);
    if (template !== undefined) event.template = template;
    return event;
  };
}
