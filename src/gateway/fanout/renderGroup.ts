import type { ExecutionResult } from '../graphqlJs.ts';
import type { EventNode } from '../stream/eventNode.ts';

/** Executes an operation's selection on one event: a result, or a promise of one. */
export type ExecuteEvent = (node: EventNode) => ExecutionResult | Promise<ExecutionResult>;

/** Renders events for every subscriber of one identical operation (document, operation, variables). */
export type RenderGroup = {
  /**
   * The `payload` JSON of the graphql-ws `next` message for this event. Events of the same
   * `shared` channel message are executed once per distinct resume token the selection read (once
   * in all when it did not read `resumeToken`); replayed events (`shared` undefined) every time.
   */
  render(node: EventNode, shared: object | undefined): string | Promise<string>;
};

/** Parameters of {@link createRenderGroup}. */
export type CreateRenderGroupParameters = {
  execute: ExecuteEvent;
  /** Turns a result with errors into what clients may see (error masking). */
  formatErrors: (result: ExecutionResult) => ExecutionResult;
};

type Rendered = string | Promise<string>;
// Per channel message: the payload when the selection did not read the resume token, else the
// payload per token value (subscribers at different positions get different tokens).
type Entry = { plain: Rendered | undefined; byToken: Map<string | null, Rendered> };

/** Creates the renderer shared by the subscribers of one operation. */
export function createRenderGroup({ execute, formatErrors }: CreateRenderGroupParameters): RenderGroup {
  const cache = new WeakMap<object, Entry>();

  const serialize = (result: ExecutionResult): string =>
    JSON.stringify(result.errors && result.errors.length > 0 ? formatErrors(result) : result);

  // Runs the selection and reports whether it read the resume token (and which value it got).
  const run = (node: EventNode): { payload: Rendered; tokenRead: boolean; token: string | null } => {
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
    const payload = result instanceof Promise ? result.then(serialize) : serialize(result);
    return { payload, tokenRead, token };
  };

  return {
    render(node, shared) {
      if (shared === undefined) return run(node).payload;
      let entry = cache.get(shared);
      if (!entry) {
        entry = { plain: undefined, byToken: new Map() };
        cache.set(shared, entry);
      }
      if (entry.plain !== undefined) return entry.plain;
      if (entry.byToken.size > 0) {
        const hit = entry.byToken.get(node.resumeToken ? node.resumeToken() : null);
        if (hit !== undefined) return hit;
      }
      const { payload, tokenRead, token } = run(node);
      // An async selection reads the token only later; keep such results per token to stay exact.
      if (!tokenRead && !(payload instanceof Promise)) entry.plain = payload;
      else entry.byToken.set(tokenRead ? token : node.resumeToken ? node.resumeToken() : null, payload);
      return payload;
    },
  };
}
