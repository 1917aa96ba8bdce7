import { describe, expect, it } from 'vitest';
import type { ChainEvent } from '../../domain/index.ts';
import type { EventNode } from '../stream/eventNode.ts';
import { createRenderGroup, type FramePrefix } from './renderGroup.ts';
import { textFramePayload } from './webSocketFrame.ts';

const event = { id: '31337:0xb:1', chainId: 31337 } as unknown as ChainEvent;

function prefix(id: string): FramePrefix {
  const text = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return { text, bytes: Buffer.from(text) };
}

function node(token: string): EventNode {
  return { event, cursor: '5-1', resumeToken: () => token };
}

/** A group whose execution counts its calls and selects the resume token when `withToken`. */
function countingGroup(withToken: boolean) {
  const calls: string[] = [];
  const group = createRenderGroup({
    execute: (root) => {
      const n = root as EventNode;
      calls.push(n.event.id);
      return {
        data: { events: { id: n.event.id, ...(withToken ? { resumeToken: n.resumeToken?.() } : {}) } },
      };
    },
    formatErrors: (result) => result,
  });
  return { group, calls };
}

const frameText = (frame: Buffer | Promise<Buffer>) => String(textFramePayload(frame as Buffer));

describe('render group', () => {
  it('executes a shared message once for every subscriber and frames it with each operation id', () => {
    const { group, calls } = countingGroup(false);
    const shared = {};
    const frames = ['a', 'b', 'a'].map((id, index) =>
      frameText(group.frame(node(`rt1.${index}`), shared, prefix(id))),
    );
    expect(calls).toHaveLength(1);
    expect(frames[0]).toBe('{"id":"a","type":"next","payload":{"data":{"events":{"id":"31337:0xb:1"}}}}');
    expect(frames[1]).toBe('{"id":"b","type":"next","payload":{"data":{"events":{"id":"31337:0xb:1"}}}}');
    expect(frames[2]).toBe(frames[0]);
    expect(JSON.parse(frames[1]!).payload).toEqual(JSON.parse(frames[0]!).payload);
  });

  it('renders once per distinct resume token when the selection reads it', () => {
    const { group, calls } = countingGroup(true);
    const shared = {};
    const tokens = ['rt1.x', 'rt1.y', 'rt1.x', 'rt1.y', 'rt1.x'];
    const payloads = tokens.map(
      (token) => JSON.parse(frameText(group.frame(node(token), shared, prefix('1')))).payload,
    );
    expect(calls).toHaveLength(2);
    expect(payloads.map((payload) => payload.data.events.resumeToken)).toEqual(tokens);
  });

  it('executes replayed events (no shared message) and different messages separately', () => {
    const { group, calls } = countingGroup(false);
    group.frame(node('rt1.x'), undefined, prefix('1'));
    group.frame(node('rt1.x'), undefined, prefix('1'));
    group.frame(node('rt1.x'), {}, prefix('1'));
    group.frame(node('rt1.x'), {}, prefix('1'));
    expect(calls).toHaveLength(4);
  });

  it('shares an asynchronous result per token and masks errors', async () => {
    const calls: number[] = [];
    const group = createRenderGroup({
      execute: async () => {
        calls.push(1);
        return {
          data: null,
          errors: [{ message: 'secret', toJSON: () => ({ message: 'secret' }) }] as never,
        };
      },
      formatErrors: () => ({ data: null, errors: [{ message: 'Unexpected error.' }] as never }),
    });
    const shared = {};
    const [first, second] = await Promise.all([
      group.frame(node('rt1.x'), shared, prefix('1')),
      group.frame(node('rt1.x'), shared, prefix('2')),
    ]);
    expect(calls).toHaveLength(1);
    expect(JSON.parse(frameText(first)).payload).toEqual({
      data: null,
      errors: [{ message: 'Unexpected error.' }],
    });
    expect(JSON.parse(frameText(second)).id).toBe('2');
  });
});
