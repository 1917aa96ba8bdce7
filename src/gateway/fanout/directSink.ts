import type { WebSocket } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import type { EventNode } from '../stream/eventNode.ts';
import type { EventSink } from '../stream/eventSink.ts';
import type { FramePrefix, RenderGroup } from './renderGroup.ts';

// Frames are UTF-8 JSON: sent as text frames although handed to `ws` as Buffers.
const textFrame = { binary: false };

/** Parameters of {@link createDirectSink}. */
export type CreateDirectSinkParameters = {
  socket: WebSocket;
  /** The graphql-ws operation id the frames are sent for. */
  id: string;
  group: RenderGroup;
  logger: Logger;
  /** Called once when the sink is closed. */
  onClose?: () => void;
};

/**
 * Writes graphql-ws `next` frames for one subscription straight to its socket: the payload comes
 * from the operation's render group, so only the frame's id is per subscriber. The backlog is the
 * number of frames whose socket write has not completed yet (a client that stops reading makes it
 * grow). Frames stay in event order, also when a render is asynchronous.
 */
export function createDirectSink({
  socket,
  id,
  group,
  logger,
  onClose,
}: CreateDirectSinkParameters): EventSink {
  const text = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  const prefix: FramePrefix = { text, bytes: Buffer.from(text) };
  let backlog = 0;
  let closed = false;
  let tail: Promise<void> | undefined;
  let waiters: Array<{ limit: number; resolve: () => void }> = [];

  const wake = () => {
    if (waiters.length === 0) return;
    const ready = closed ? waiters : waiters.filter((waiter) => backlog <= waiter.limit);
    if (ready.length === 0) return;
    waiters = closed ? [] : waiters.filter((waiter) => backlog > waiter.limit);
    for (const waiter of ready) waiter.resolve();
  };
  const written = () => {
    backlog -= 1;
    wake();
  };
  const write = (frame: Buffer) => {
    if (closed || socket.readyState !== socket.OPEN) {
      written();
      return;
    }
    socket.send(frame, textFrame, written);
  };

  return {
    send(node: EventNode, shared: object | undefined) {
      if (closed) return;
      backlog += 1;
      let frame: Buffer | Promise<Buffer>;
      try {
        frame = group.frame(node, shared, prefix);
      } catch (error) {
        // Handled below like a failed asynchronous render: logged, and the backlog stays right.
        frame = Promise.reject(error);
      }
      if (!(frame instanceof Promise) && tail === undefined) {
        write(frame);
        return;
      }
      // The chain below sees a rejection only once earlier frames are out; until then it must not
      // count as unhandled (which would end the process).
      if (frame instanceof Promise) frame.catch(() => undefined);
      const next = (tail ?? Promise.resolve())
        .then(() => frame)
        .then(write, (error) => {
          logger.error({ msg: 'Rendering a subscription event failed', err: error });
          written();
        });
      tail = next;
      void next.then(() => {
        if (tail === next) tail = undefined;
      });
    },
    backlog: () => backlog,
    drained(limit) {
      if (closed || backlog <= limit) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ limit, resolve }));
    },
    close() {
      if (closed) return;
      closed = true;
      wake();
      onClose?.();
    },
  };
}
