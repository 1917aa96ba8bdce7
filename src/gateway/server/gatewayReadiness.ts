import { epochKey } from '../../domain/index.ts';
import { withTimeout } from '../../shared/dependency.ts';
import type { Readiness } from '../../shared/role.ts';
import type { GatewayServices } from '../context.ts';

/**
 * The gateway is ready when Redis answers and holds a complete projection (the epoch marker exists,
 * so no rebuild is wiping it).
 */
export async function gatewayReadiness(services: GatewayServices): Promise<Readiness> {
  let pong: string;
  let epoch: number;
  try {
    [pong, epoch] = await withTimeout(
      Promise.all([services.redis.ping(), services.redis.exists(epochKey(services.keyPrefix))]),
      2_000,
      'Redis did not answer within 2000 ms',
    );
  } catch (error) {
    const message = (error as Error).message;
    return {
      ready: false,
      reason: `Redis is unavailable: ${message}`,
      redis: { state: 'down', error: message },
    };
  }
  if (pong !== 'PONG')
    return {
      ready: false,
      reason: 'Redis is unavailable: no answer to PING',
      redis: { state: 'down', error: `PING answered ${pong}` },
    };
  if (epoch !== 1)
    return {
      ready: false,
      reason: 'Redis projection is not complete (epoch marker missing; rebuilding?)',
      redis: { state: 'up' },
    };
  return { ready: true, redis: { state: 'up' } };
}
