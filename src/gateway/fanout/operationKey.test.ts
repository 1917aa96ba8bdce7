import { describe, expect, it } from 'vitest';
import { parse } from '../graphqlJs.ts';
import { operationKey } from './operationKey.ts';

const key = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  operationKey({ document: parse(query), operationName, variables });

describe('operation key', () => {
  it('is the same whatever after a subscription starts from, as a literal or a variable', () => {
    const literal = (after: string) =>
      `subscription { events(filter: { contracts: ["0xa"] }, after: "${after}") { id resumeToken } }`;
    expect(key(literal('0-0'))).toBe(key(literal('5-1')));
    expect(key(literal('0-0'))).toBe(
      key('subscription { events(filter: { contracts: ["0xa"] }) { id resumeToken } }'),
    );
    const withVariable =
      'subscription ($after: StreamPosition, $c: [Address!]) { events(filter: { contracts: $c }, after: $after) { id } }';
    expect(key(withVariable, { after: 'rt1.x', c: ['0xa'] })).toBe(
      key(withVariable, { after: 'rt1.y', c: ['0xa'] }),
    );
    expect(key(withVariable, { c: ['0xa'] })).toBe(key(withVariable, { after: '0-0', c: ['0xa'] }));
    const only = 'subscription ($after: StreamPosition) { events(after: $after) { id } }';
    expect(key(only, { after: '1-0' })).toBe(key(only));
    expect(key('subscription { events { id } }', {})).toBe(key('subscription { events { id } }'));
  });

  it('keeps apart what changes the stream or its rendering', () => {
    const query =
      'subscription ($c: [Address!], $after: StreamPosition) { events(filter: { contracts: $c }, after: $after) { id } }';
    expect(key(query, { c: ['0xa'] })).not.toBe(key(query, { c: ['0xb'] }));
    expect(key('subscription { events { id } }')).not.toBe(key('subscription { events { id cursor } }'));
    expect(key('subscription A { events { id } }', {}, 'A')).not.toBe(
      key('subscription A { events { id } }', {}, undefined),
    );
  });

  it('keeps a variable after shares with another argument, and queries as they are', () => {
    const query =
      'subscription ($p: StreamPosition) { events(after: $p) { id ... on UndecodedEvent { data @include(if: true) } } }';
    const shared = 'query ($p: StreamPosition) { events(after: $p, first: 1) { nodes { id } } }';
    expect(key(query, { p: '1-0' })).toBe(key(query, { p: '2-0' }));
    // `$p` read twice: where the stream starts cannot be told apart from the rest, so no sharing.
    const twice = 'subscription ($p: StreamPosition) { events(after: $p, filter: { fromBlock: $p }) { id } }';
    expect(key(twice, { p: '1-0' })).not.toBe(key(twice, { p: '2-0' }));
    expect(key(shared, { p: '1-0' })).not.toBe(key(shared, { p: '2-0' }));
  });
});
