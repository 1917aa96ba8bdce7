import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { Logger } from '../../shared/logger.ts';
import type { EventSink, LiveHandover } from '../stream/eventSink.ts';
import type { FanSink } from './liveFan.ts';
import type { FramePrefix, RenderGroup, RenderRoot } from './renderGroup.ts';
import { textFramePayload } from './webSocketFrame.ts';

// Payloads are UTF-8 JSON: sent as text frames although handed to `ws` as Buffers.
const textFrame = { binary: false };

/** Parameters of {@link createDirectSink}. */
export type CreateDirectSinkParameters = {
  socket: WebSocket;
  /**
   * The connection under `socket` (what the HTTP upgrade handed over). When given and no extension
   * was negotiated, frames are written to it as rendered, with no copy per socket.
   */
  connection?: Duplex;
  /** The graphql-ws operation id the frames are sent for. */
  id: string;
  group: RenderGroup;
  logger: Logger;
  /** Called once when the sink is closed. */
  onClose?: () => void;
  /**
   * Hands a live stream to the group's shared live path (see {@link LiveFan}): the function that
   * ends that, or undefined when the path cannot take it yet.
   */
  joinLive?: (sink: FanSink, handover: LiveHandover) => (() => void) | undefined;
};

/**
 * Writes graphql-ws `next` frames for one subscription straight to its socket: the payload comes
 * from the operation's render group, so only the frame's id is per subscriber. The backlog is the
 * number of frames whose socket write has not completed yet (a client that stops reading makes it
 * grow). Frames stay in event order, also when a render is asynchronous. Once its stream is live the
 * sink may be fed by the group's live fan instead ({@link EventSink.joinLive}).
 */
export function createDirectSink({
  socket,
  connection,
  id,
  group,
  logger,
  onClose,
  joinLive,
}: CreateDirectSinkParameters): EventSink<RenderRoot> {
  // Without extensions (no compression) `ws` writes each message synchronously to the connection,
  // so frames written to it directly keep their order with everything `ws` sends.
  const direct = connection !== undefined && socket.extensions === '' ? connection : undefined;
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
    if (direct) direct.write(frame, written);
    else socket.send(textFramePayload(frame), textFrame, written);
  };

  const sendFrame = (frame: Buffer | Promise<Buffer>): void => {
    if (closed) return;
    backlog += 1;
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
  };
  const fanSink: FanSink = { prefix, backlog: () => backlog, sendFrame };
  let leave: (() => void) | undefined;

  return {
    send(node: RenderRoot, shared: object | undefined) {
      if (closed) return;
      let frame: Buffer | Promise<Buffer>;
      try {
        frame = group.frame(node, shared, prefix);
      } catch (error) {
        // Handled by `sendFrame` like a failed asynchronous render: logged, and the backlog stays right.
        frame = Promise.reject(error);
      }
      sendFrame(frame);
    },
    joinLive: joinLive
      ? (handover) => {
          if (closed || leave) return false;
          leave = joinLive(fanSink, handover);
          return leave !== undefined;
        }
      : undefined,
    backlog: () => backlog,
    drained(limit) {
      if (closed || backlog <= limit) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ limit, resolve }));
    },
    close() {
      if (closed) return;
      closed = true;
      leave?.();
      wake();
      onClose?.();
    },
  };
}
