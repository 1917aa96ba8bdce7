import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { ChainEvent } from '../../domain/index.ts';
import type { Logger } from '../../shared/logger.ts';
import type { EventNode } from '../stream/eventNode.ts';
import { createDirectSink } from './directSink.ts';
import type { RenderGroup } from './renderGroup.ts';
import { encodeTextFrame } from './webSocketFrame.ts';

type Sent = { frame: string; done: (error?: Error) => void };

function fakeSocket() {
  const sent: Sent[] = [];
  const socket = {
    OPEN: 1,
    readyState: 1,
    send: (frame: Buffer, _options: unknown, done: (error?: Error) => void) =>
      sent.push({ frame: String(frame), done }),
  };
  return { socket: socket as unknown as WebSocket, sent };
}

const logger = { error: () => undefined } as unknown as Logger;
const frame = (text: string) => encodeTextFrame([Buffer.from(text)]);
const node = (id: string): EventNode => ({ event: { id } as ChainEvent, cursor: null, resumeToken: null });

describe('direct sink', () => {
  it('keeps frames in event order when a render is asynchronous and counts unwritten frames', async () => {
    const { socket, sent } = fakeSocket();
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const group: RenderGroup = {
      frame: (root) =>
        (root as EventNode).event.id === 'a'
          ? slow.then(() => frame('A'))
          : frame((root as EventNode).event.id),
      isShared: () => false,
    };
    const sink = createDirectSink({ socket, id: '1', group, logger });
    sink.send(node('a'), undefined);
    sink.send(node('b'), undefined);
    expect(sent).toEqual([]);
    expect(sink.backlog()).toBe(2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent.map((item) => item.frame)).toEqual(['A', 'b']);
    const drained = sink.drained(0);
    for (const item of sent) item.done();
    await drained;
    expect(sink.backlog()).toBe(0);
  });

  it('drops an event whose rendering fails, without an unhandled rejection or a stuck backlog', async () => {
    const { socket, sent } = fakeSocket();
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => {
      release = resolve;
    });
    const group: RenderGroup = {
      frame: (root) => {
        if ((root as EventNode).event.id === 'a') return slow.then(() => frame('A'));
        if ((root as EventNode).event.id === 'bad') throw new Error('boom');
        return Promise.reject(new Error('async boom'));
      },
      isShared: () => false,
    };
    const sink = createDirectSink({ socket, id: '1', group, logger });
    sink.send(node('a'), undefined);
    sink.send(node('bad'), undefined);
    sink.send(node('bad-async'), undefined);
    // Let the failures sit behind the pending frame for a while.
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent.map((item) => item.frame)).toEqual(['A']);
    sent[0]!.done();
    expect(sink.backlog()).toBe(0);
  });

  it('writes rendered frames as they are to the connection under the socket, in order with ws', () => {
    const { socket, sent } = fakeSocket();
    const written: Buffer[] = [];
    const connection = {
      write: (chunk: Buffer, done: () => void) => {
        written.push(chunk);
        done();
        return true;
      },
    } as unknown as Duplex;
    const frames = new Map([
      ['a', frame('A')],
      ['b', frame('B'.repeat(70_000))],
    ]);
    const group: RenderGroup = {
      frame: (root) => frames.get((root as EventNode).event.id)!,
      isShared: () => true,
    };
    (socket as { extensions: string }).extensions = '';
    const sink = createDirectSink({ socket, connection, id: '1', group, logger });
    sink.send(node('a'), undefined);
    sink.send(node('b'), undefined);
    expect(sent).toEqual([]);
    expect(written).toEqual([frames.get('a'), frames.get('b')]);
    expect(sink.backlog()).toBe(0);
  });

  it('hands ws the payload when an extension was negotiated on the socket', () => {
    const { socket, sent } = fakeSocket();
    const connection = { write: () => true } as unknown as Duplex;
    const group: RenderGroup = { frame: () => frame('A'), isShared: () => true };
    (socket as { extensions: string }).extensions = 'permessage-deflate';
    const sink = createDirectSink({ socket, connection, id: '1', group, logger });
    sink.send(node('a'), undefined);
    expect(sent.map((item) => item.frame)).toEqual(['A']);
  });
});
