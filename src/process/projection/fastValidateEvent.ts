import { isAddress } from '../../domain/evm.ts';
import type { ChainEvent } from '../../domain/index.ts';

const hexPattern = /^0x[0-9a-fA-F]*$/;
const hashPattern = /^0x[0-9a-fA-F]{64}$/;
const statuses = new Set(['PENDING', 'CONFIRMED', 'REMOVED']);

const isUint = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The hot-path twin of `validateEvent`: accepts only parsed messages the codec's schema accepts (same
 * fields, same checks, unknown fields dropped) without zod's per-field overhead, and returns undefined
 * for anything else so the caller falls back to `validateEvent` for the precise reason. Never throws.
 */
export function fastValidateEvent(parsed: unknown): ChainEvent | undefined {
  if (!isRecord(parsed)) return undefined;
  const m = parsed;
  if (m.v !== 1 || typeof m.id !== 'string' || m.id.length === 0) return undefined;
  if (typeof m.status !== 'string' || !statuses.has(m.status)) return undefined;
  if (!isUint(m.chainId) || m.chainId === 0) return undefined;
  if (
    !isUint(m.blockNumber) ||
    !isUint(m.blockTimestamp) ||
    !isUint(m.transactionIndex) ||
    !isUint(m.logIndex)
  )
    return undefined;
  if (typeof m.blockHash !== 'string' || !hashPattern.test(m.blockHash)) return undefined;
  if (typeof m.transactionHash !== 'string' || !hashPattern.test(m.transactionHash)) return undefined;
  if (typeof m.address !== 'string' || !isAddress(m.address, { strict: false })) return undefined;
  if (m.eventName !== null && typeof m.eventName !== 'string') return undefined;
  if (m.signature !== null && typeof m.signature !== 'string') return undefined;
  if (typeof m.decoded !== 'boolean' || !isRecord(m.args)) return undefined;
  if (
    !Array.isArray(m.topics) ||
    !m.topics.every((topic) => typeof topic === 'string' && hexPattern.test(topic))
  )
    return undefined;
  if (typeof m.data !== 'string' || !hexPattern.test(m.data)) return undefined;
  if (m.id !== `${m.chainId}:${m.blockHash.toLowerCase()}:${m.logIndex}`) return undefined;
  if (m.template !== undefined && (typeof m.template !== 'string' || m.template.length === 0))
    return undefined;
  const event: ChainEvent = {
    v: 1,
    id: m.id,
    status: m.status as ChainEvent['status'],
    chainId: m.chainId,
    blockNumber: m.blockNumber,
    blockHash: m.blockHash as `0x${string}`,
    blockTimestamp: m.blockTimestamp,
    transactionHash: m.transactionHash as `0x${string}`,
    transactionIndex: m.transactionIndex,
    logIndex: m.logIndex,
    address: m.address as `0x${string}`,
    eventName: m.eventName as string | null,
    signature: m.signature as string | null,
    decoded: m.decoded,
    args: m.args as ChainEvent['args'],
    topics: m.topics as `0x${string}`[],
    data: m.data as `0x${string}`,
  };
  if (m.template !== undefined) event.template = m.template;
  return event;
}
