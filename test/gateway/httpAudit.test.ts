import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/startTestGateway.ts';

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway();
});

afterAll(async () => {
  await t?.stop();
});

describe('GraphQL over HTTP compliance (graphql-http audits)', () => {
  it('passes every MUST audit against the running gateway', async () => {
    const audits = serverAudits({ url: t.url, fetchFn: fetch });
    const must = audits.filter((audit) => audit.name.startsWith('MUST'));
    expect(must.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const audit of must) {
      const result = await audit.fn();
      if (result.status !== 'ok') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });

  it('passes the SHOULD audits too (warnings listed if not)', async () => {
    const audits = serverAudits({ url: t.url, fetchFn: fetch }).filter((audit) =>
      audit.name.startsWith('SHOULD'),
    );
    const failures: string[] = [];
    for (const audit of audits) {
      const result = await audit.fn();
      if (result.status === 'error') failures.push(`${audit.name}: ${result.reason}`);
    }
    expect(failures).toEqual([]);
  });
});
