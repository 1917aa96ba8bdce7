import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeTextFrame, textFramePayload } from './webSocketFrame.ts';

describe('WebSocket text frames', () => {
  it('are read by a ws client as the text they carry, at every length encoding', async () => {
    const texts = [
      '{}',
      'x'.repeat(125),
      'y'.repeat(126),
      'z'.repeat(65_535),
      `{"é":"${'w'.repeat(70_000)}"}`,
    ];
    // As the gateway does: the connection comes from the HTTP upgrade handed to `ws`.
    const server = createServer();
    const wss = new WebSocketServer({ noServer: true });
    const upgraded = new Promise<Duplex>((resolve) =>
      server.on('upgrade', (request, socket, head) =>
        wss.handleUpgrade(request, socket, head, () => resolve(socket)),
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as { port: number }).port}`);
    const received: string[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('message', (data, isBinary) => {
        expect(isBinary).toBe(false);
        received.push(String(data));
        if (received.length === texts.length) resolve();
      }),
    );
    const connection = await upgraded;
    for (const text of texts) {
      const frame = encodeTextFrame([Buffer.from(text.slice(0, 3)), Buffer.from(text.slice(3))]);
      expect(String(textFramePayload(frame))).toBe(text);
      connection.write(frame);
    }
    await done;
    expect(received).toEqual(texts);
    client.close();
    server.close();
  });
});
