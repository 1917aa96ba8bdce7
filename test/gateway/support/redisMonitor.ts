import { connect } from 'node:net';

/** A MONITOR session: every command the server runs, as its arguments, until `close()`. */
export type RedisMonitor = { close(): void };

/** The arguments of a MONITOR line's command part: `"hgetall" "key"` (quoted, backslash-escaped). */
function monitoredArgs(text: string): string[] {
  const args: string[] = [];
  for (const match of text.matchAll(/"((?:[^"\\]|\\.)*)"/g))
    args.push(match[1]!.replace(/\\(.)/g, (_, escaped: string) => escaped));
  return args;
}

/**
 * Runs MONITOR on a plain socket of its own. ioredis's monitor mode is not used: when it disconnects,
 * lines still arriving from a busy server (other test files share it) reach its command queue and
 * fail the test with "Command queue state error".
 */
export async function monitorRedis(url: string, onCommand: (args: string[]) => void): Promise<RedisMonitor> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port || 6379), hostname || '127.0.0.1');
  socket.setEncoding('utf8');
  let pending = '';
  let started: (() => void) | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    started = resolve;
    socket.once('error', reject);
  });
  socket.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\r\n'); end >= 0; end = pending.indexOf('\r\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 2);
      if (line === '+OK') started?.();
      // +1796286141.355272 [0 127.0.0.1:45232] "del" "key"
      const command = line.indexOf('] "');
      if (line.startsWith('+') && command >= 0) onCommand(monitoredArgs(line.slice(command + 2)));
      else if (line.startsWith('-')) socket.destroy(new Error(`MONITOR failed: ${line.slice(1)}`));
    }
  });
  socket.write('MONITOR\r\n');
  await ready;
  socket.on('error', () => {});
  return { close: () => socket.destroy() };
}
