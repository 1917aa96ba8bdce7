import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/startTestGateway.ts';

describe('gateway lifecycle: done', () => {
  let test: TestGateway | undefined;

  afterEach(async () => {
    await test?.stop();
    test = undefined;
  });

  it('rejects when the HTTP server fails after listening', async () => {
    test = await startTestGateway();
    const server = test.gateway.httpServer!;
    // What Node emits when accept() fails, e.g. out of file descriptors.
    server.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' }));
    await expect(test.gateway.done).rejects.toThrow("The gateway's HTTP server failed: accept EMFILE");
    // The failed gateway closed its port: nothing is served half-alive.
    await expect(fetch(test.url.replace('/graphql', '/healthz'))).rejects.toThrow();
  });

  it('rejects when the HTTP server closes without stop()', async () => {
    test = await startTestGateway();
    test.gateway.httpServer!.close();
    await expect(test.gateway.done).rejects.toThrow("The gateway's HTTP server closed unexpectedly");
  });

  it('resolves when stopped', async () => {
    test = await startTestGateway();
    await test.gateway.stop();
    await expect(test.gateway.done).resolves.toBeUndefined();
  });

  it('answers /readyz with its own readiness when run alone', async () => {
    test = await startTestGateway();
    const response = await fetch(test.url.replace('/graphql', '/readyz'));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      ready: true,
      roles: { gateway: { ready: true, redis: { state: 'up' } } },
    });
  });
});
