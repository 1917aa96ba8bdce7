import WebSocket from 'ws';

/** A raw graphql-transport-ws socket for protocol-abuse tests. */
export type RawSocket = {
  socket: WebSocket;
  messages: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  /** Resolves with the first received message matching `predicate`. */
  next(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
};

/** Opens a raw socket speaking graphql-transport-ws; `init` sends connection_init and awaits the ack. */
export async function openRawSocket(
  url: string,
  options: { init?: boolean; payload?: unknown } = {},
): Promise<RawSocket> {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const messages: Array<Record<string, unknown>> = [];
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    try {
      messages.push(JSON.parse(String(data)) as Record<string, unknown>);
    } catch {
      messages.push({ type: '<unparsable>' });
    }
    for (const listener of listeners) listener();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.once('close', (code, reason) => {
      resolve({ code, reason: String(reason) });
      for (const listener of listeners) listener();
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const raw: RawSocket = {
    socket,
    messages,
    closed,
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: (predicate, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          } else if (socket.readyState === WebSocket.CLOSED) {
            cleanup();
            reject(
              new Error(
                `Socket closed before the expected message; got ${JSON.stringify(messages).slice(0, 500)}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`Timed out; got ${JSON.stringify(messages).slice(0, 500)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
  };
  if (options.init ?? true) {
    raw.send({ type: 'connection_init', payload: options.payload });
    await raw.next((message) => message.type === 'connection_ack');
  }
  return raw;
}
