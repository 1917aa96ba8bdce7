import type { ExecutionResult } from '../graphqlJs.ts';
import type { EventNode } from '../stream/eventNode.ts';
import { encodeTextFrame } from './webSocketFrame.ts';

/**
 * What an operation's selection runs on: an event node (whose resume token the group tracks), or
 * the root value of another stream (a head).
 */
export type RenderRoot = object;

/** Executes an operation's selection on one root value: a result, or a promise of one. */
export type ExecuteEvent = (root: RenderRoot) => ExecutionResult | Promise<ExecutionResult>;

const isEventNode = (root: RenderRoot): root is EventNode => 'resumeToken' in root && 'event' in root;

/** The start of a graphql-ws `next` frame up to its payload: `{"id":"<id>","type":"next","payload":`. */
export type FramePrefix = { text: string; bytes: Buffer };

/** Renders events for every subscriber of one identical operation (document, operation, variables). */
export type RenderGroup = {
  /**
   * The WebSocket text frame (see `webSocketFrame.ts`) of the graphql-ws `next` message carrying
   * this event's result. Events of the same `shared`
   * channel message are executed and serialized once per distinct resume token the selection read
   * (once in all when it did not read `resumeToken`), and subscribers with the same operation id
   * share the frame itself; replayed events (`shared` undefined) are rendered every time.
   */
  frame(node: RenderRoot, shared: object | undefined, prefix: FramePrefix): Buffer | Promise<Buffer>;
  /**
   * Whether the channel message's rendering is the same for every subscriber (its selection did not
   * read the resume token): then subscribers with the same operation id share one frame.
   */
  isShared(shared: object): boolean;
};

/** Parameters of {@link createRenderGroup}. */
export type CreateRenderGroupParameters = {
  execute: ExecuteEvent;
  /** Turns a result with errors into what clients may see (error masking). */
  formatErrors: (result: ExecutionResult) => ExecutionResult;
};

type Rendered = { payload: Buffer; frames: Map<string, Buffer> };
type Slot = Rendered | Promise<Rendered>;
// Per channel message: the rendering when the selection did not read the resume token, else the
// rendering per token value (subscribers at different positions get different tokens).
type Entry = { plain: Slot | undefined; byToken: Map<string | null, Slot> };

const frameEnd = Buffer.from('}');
// Operation ids are client-chosen (often random): only this many distinct frames are kept per event.
const sharedFramesPerEvent = 16;

function frameOf(rendered: Rendered, prefix: FramePrefix): Buffer {
  const known = rendered.frames.get(prefix.text);
  if (known) return known;
  const frame = encodeTextFrame([prefix.bytes, rendered.payload, frameEnd]);
  if (rendered.frames.size < sharedFramesPerEvent) rendered.frames.set(prefix.text, frame);
  return frame;
}

/** Creates the renderer shared by the subscribers of one operation. */
export function createRenderGroup({ execute, formatErrors }: CreateRenderGroupParameters): RenderGroup {
  const cache = new WeakMap<object, Entry>();

  const serialize = (result: ExecutionResult): Rendered => ({
    payload: Buffer.from(
      JSON.stringify(result.errors && result.errors.length > 0 ? formatErrors(result) : result),
    ),
    frames: new Map(),
  });

  // Runs the selection and reports whether it read the resume token (and which value it got).
  const run = (node: RenderRoot): { slot: Slot; tokenRead: boolean; token: string | null } => {
    if (!isEventNode(node)) {
      const result = execute(node);
      return {
        slot: result instanceof Promise ? result.then(serialize) : serialize(result),
        tokenRead: false,
        token: null,
      };
    }
    let tokenRead = false;
    let token: string | null = null;
    const own = node.resumeToken;
    const probe: EventNode = {
      event: node.event,
      cursor: node.cursor,
      resumeToken: own
        ? () => {
            tokenRead = true;
            token = own();
            return token;
          }
        : null,
    };
    const result = execute(probe);
    const slot = result instanceof Promise ? result.then(serialize) : serialize(result);
    return { slot, tokenRead, token };
  };

  const render = (node: RenderRoot, shared: object | undefined): Slot => {
    if (shared === undefined) return run(node).slot;
    let entry = cache.get(shared);
    if (!entry) {
      entry = { plain: undefined, byToken: new Map() };
      cache.set(shared, entry);
    }
    if (entry.plain !== undefined) return entry.plain;
    const tokenOf = () => (isEventNode(node) && node.resumeToken ? node.resumeToken() : null);
    if (entry.byToken.size > 0) {
      const hit = entry.byToken.get(tokenOf());
      if (hit !== undefined) return hit;
    }
    const { slot, tokenRead, token } = run(node);
    // An async selection may read the token only later: keep its result under the token.
    if (!tokenRead && !(slot instanceof Promise)) entry.plain = slot;
    else entry.byToken.set(tokenRead ? token : tokenOf(), slot);
    return slot;
  };

  return {
    frame(node, shared, prefix) {
      const slot = render(node, shared);
      return slot instanceof Promise
        ? slot.then((rendered) => frameOf(rendered, prefix))
        : frameOf(slot, prefix);
    },
    isShared: (shared) => cache.get(shared)?.plain !== undefined,
  };
}
