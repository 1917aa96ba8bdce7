import { expect } from 'vitest';
import { decodeEvent } from '../../../src/domain/index.ts';
import type { Harness } from './harness.ts';
import { readProjection } from './readProjection.ts';
import { referenceModel } from './referenceModel.ts';
import type { Scenario, TestRecord } from './scenario.ts';

/** Parameters of {@link expectProjectionsExact}. */
export type ExpectProjectionsExactParameters = {
  harness: Harness;
  keyPrefix: string;
  chainId: number;
  scenario: Scenario;
};

/** Every contract's projection in Redis equals the reference model of the scenario's canonical events. */
export async function expectProjectionsExact({
  harness,
  keyPrefix,
  chainId,
  scenario,
}: ExpectProjectionsExactParameters): Promise<void> {
  const expected = referenceModel(scenario.canonical(), scenario.kinds);
  for (const [address, kind] of Object.entries(scenario.kinds)) {
    const actual = await readProjection({ redis: harness.redis, keyPrefix, chainId, address, kind });
    expect(actual, `projection of ${kind} ${address}`).toEqual(expected[address]);
  }
}

/** The `<id>/<status>` sequence of one contract's records on `events.confirmed`, in production order. */
export function confirmedSequence(records: TestRecord[], address: string): string[] {
  return records
    .filter((record) => record.topic.endsWith('.events.confirmed'))
    .map((record) => decodeEvent(record.value))
    .flatMap((decoded) =>
      decoded.ok && decoded.value.address === address ? [`${decoded.value.id}/${decoded.value.status}`] : [],
    );
}

/** Each contract's journal holds exactly its records on `events.confirmed`: each once, in order. */
export async function expectJournalsExact(harness: Harness, records: TestRecord[], addresses: string[]) {
  for (const address of addresses) {
    const journal = await harness.journal(address);
    expect(
      journal.map((entry) => `${entry.id}/${entry.status}`),
      `journal of ${address}`,
    ).toEqual(confirmedSequence(records, address));
  }
}
