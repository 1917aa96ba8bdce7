import { describe, expect, it } from 'vitest';
import { parseRedisVersion, pubSubProblem } from './pubSubSupport.ts';

describe('pub/sub support', () => {
  it('accepts sharded pub/sub on Redis 7 and later, and classic pub/sub anywhere', () => {
    const nodes = [
      { node: '10.0.0.1:7000', version: '7.0.15' },
      { node: '10.0.0.2:7000', version: '7.4.1' },
    ];
    expect(pubSubProblem('sharded', nodes)).toBeUndefined();
    expect(pubSubProblem('classic', [{ node: '10.0.0.1:7000', version: '6.2.14' }])).toBeUndefined();
  });

  it('names every node too old for sharded pub/sub and the setting that fixes it', () => {
    const problem = pubSubProblem('sharded', [
      { node: '10.0.0.1:7000', version: '7.2.4' },
      { node: '10.0.0.2:7000', version: '6.2.14' },
    ]);
    expect(problem).toBe(
      'redis.pubsub is sharded (the default with redis.cluster), but 10.0.0.2:7000 runs Redis 6.2.14, which has no sharded pub/sub (Redis 7 or later); set redis.pubsub: classic',
    );
  });

  it('reads the version from INFO server', () => {
    expect(parseRedisVersion('# Server\r\nredis_version:7.0.15\r\nredis_mode:cluster\r\n')).toBe('7.0.15');
    expect(parseRedisVersion('# Server\r\n')).toBeUndefined();
  });
});
