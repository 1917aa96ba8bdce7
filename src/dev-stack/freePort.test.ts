import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freeStablePort } from './freePort.ts';

describe('freeStablePort', () => {
  it('finds a port that can be listened on, below the range the OS gives outgoing connections', async () => {
    const port = await freeStablePort();
    let rangeStart = 32_768;
    try {
      rangeStart = Number(
        readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
      );
    } catch {}
    expect(port).toBeGreaterThanOrEqual(1_024);
    expect(port).toBeLessThan(rangeStart);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
