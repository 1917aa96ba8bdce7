import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '../../domain/index.ts';

/** A confirmed header kept in the checkpoint record so a deep reorg across a restart can be undone. */
export type RecentHeader = { n: number; h: `0x${string}` };

/**
 * The checkpoint as ingest writes it: the domain {@link Checkpoint} plus the optional `recent`
 * confirmed headers (oldest first). Other readers ignore the extra field (the domain codec strips it).
 */
export type IngestCheckpoint = Checkpoint & { recent?: RecentHeader[] };

/** Serializes an ingest checkpoint (domain format + `recent`). */
export function encodeIngestCheckpoint(checkpoint: IngestCheckpoint): string {
  const { recent, ...base } = checkpoint;
  const encoded = encodeCheckpoint(base);
  return recent ? `${encoded.slice(0, -1)},"recent":${JSON.stringify(recent)}}` : encoded;
}

/** Parses a checkpoint record; `recent` is kept when well-formed and dropped otherwise. */
export function decodeIngestCheckpoint(
  bytes: Buffer | string | null | undefined,
): IngestCheckpoint | undefined {
  const result = decodeCheckpoint(bytes);
  if (!result.ok) return undefined;
  const raw = JSON.parse(typeof bytes === 'string' ? bytes : bytes!.toString('utf8')) as { recent?: unknown };
  const recent = Array.isArray(raw.recent)
    ? raw.recent.filter(
        (entry): entry is RecentHeader =>
          typeof entry === 'object' &&
          entry !== null &&
          Number.isInteger((entry as RecentHeader).n) &&
          /^0x[0-9a-f]{64}$/.test(String((entry as RecentHeader).h)),
      )
    : undefined;
  return recent && recent.length > 0 ? { ...result.value, recent } : result.value;
}
