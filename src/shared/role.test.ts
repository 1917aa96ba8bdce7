import { describe, expect, it } from 'vitest';
import { collectReadiness, readinessResponse } from './role.ts';

describe('readinessResponse', () => {
  it('answers 200 when every role is ready', async () => {
    const report = await collectReadiness([
      { name: 'process', readiness: () => ({ ready: true, kafka: { state: 'up' }, redis: { state: 'up' } }) },
      { name: 'gateway', readiness: async () => ({ ready: true, redis: { state: 'up' } }) },
    ]);
    const { statusCode, body } = readinessResponse(report);
    expect(statusCode).toBe(200);
    expect(JSON.parse(body)).toEqual({
      status: 'ready',
      ready: true,
      roles: {
        process: { ready: true, kafka: { state: 'up' }, redis: { state: 'up' } },
        gateway: { ready: true, redis: { state: 'up' } },
      },
    });
  });

  it('answers 503 naming each role that is not ready and why, a failing check included', async () => {
    const report = await collectReadiness([
      {
        name: 'process',
        readiness: () => ({
          ready: false,
          reason: 'rebuilding the projection from events.confirmed',
          kafka: { state: 'up' },
          redis: { state: 'up' },
        }),
      },
      { name: 'ingest', readiness: () => ({ ready: true }) },
      {
        name: 'gateway',
        readiness: () => {
          throw new Error('boom');
        },
      },
    ]);
    const { statusCode, body } = readinessResponse(report);
    expect(statusCode).toBe(503);
    expect(JSON.parse(body)).toMatchObject({
      status: 'not ready',
      ready: false,
      reason:
        'process: rebuilding the projection from events.confirmed; gateway: readiness check failed: boom',
      roles: { ingest: { ready: true }, gateway: { ready: false } },
    });
  });

  it('answers 503 with a reason before any role has started', async () => {
    const { statusCode, body } = readinessResponse(await collectReadiness([]));
    expect(statusCode).toBe(503);
    expect(JSON.parse(body)).toEqual({
      status: 'not ready',
      ready: false,
      reason: 'no role has started yet',
      roles: {},
    });
  });
});
