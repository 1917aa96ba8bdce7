import { randomUUID } from 'node:crypto';
import { ingestTransactionalId } from '../../domain/index.ts';
import { type ChainTracker, createChainTracker } from '../chain-tracker/index.ts';
import type { IngestCheckpoint } from '../checkpoint/ingestCheckpoint.ts';
import type { LogDecoder } from '../createLogDecoder.ts';
import { createFactoryFollower, type FactoryFollower } from '../factory/createFactoryFollower.ts';
import type { BlockHeader } from '../rpc/types.ts';
import type { RunSessionParameters } from './session.ts';

/** What every step of one session shares: its parameters, the chain tracker and a few derived values. */
export type SessionContext = RunSessionParameters & {
  chainId: number;
  /** Metric labels of the chain. */
  label: { chain_id: string };
  decode: LogDecoder;
  /** The chain's factories and the children this session follows. */
  factories: FactoryFollower;
  /** The canonical chain as this session knows it: confirmed window plus unconfirmed blocks. */
  tracker: ChainTracker;
  /** Unique consumer group id for one read of a topic (`kind` tells the reads apart). */
  groupId(kind: string): string;
  throwIfAborted(): void;
  /** The checkpoint at `header`, carrying the confirmed window (plus `extra` headers about to be confirmed). */
  checkpointAt(header: BlockHeader, head: number, extra?: BlockHeader[]): IngestCheckpoint;
};

/** Builds the {@link SessionContext} of one session. */
export function createSessionContext(parameters: RunSessionParameters): SessionContext {
  const { chain, topicPrefix, rpc, options, signal } = parameters;
  const chainId = chain.chainId;
  const groupBase = `${ingestTransactionalId(topicPrefix, chainId)}.read.${randomUUID()}`;
  const tracker = createChainTracker({ windowSize: options.windowSize, getBlock: (n) => rpc.getBlock(n) });

  const recentOf = (extra: BlockHeader[]) =>
    tracker
      .blocks()
      .filter((block) => block.confirmed)
      .map((block) => block.header)
      .concat(extra)
      .slice(-options.windowSize)
      .map((header) => ({ n: header.number, h: header.hash }));

  const factories = createFactoryFollower({ chain, logger: parameters.logger });

  return {
    ...parameters,
    chainId,
    label: { chain_id: String(chainId) },
    decode: factories.decode,
    factories,
    tracker,
    groupId: (kind) => `${groupBase}.${kind}`,
    throwIfAborted() {
      if (signal.aborted) throw signal.reason;
    },
    checkpointAt: (header, head, extra = []) => ({
      v: 1,
      chainId,
      blockNumber: header.number,
      blockHash: header.hash,
      head,
      updatedAt: Date.now(),
      recent: recentOf(extra),
    }),
  };
}
