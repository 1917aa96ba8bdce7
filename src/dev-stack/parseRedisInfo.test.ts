import { describe, expect, it } from 'vitest';
import { parseRedisInfo } from './parseRedisInfo.ts';

describe('parseRedisInfo', () => {
  it('reads the fields of an INFO section and skips its header', () => {
    const text =
      '# Replication\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_link_status:up\r\nslave0:ip=127.0.0.1,port=7001,state=online\r\n\r\n';
    expect(parseRedisInfo(text)).toEqual({
      role: 'slave',
      master_host: '127.0.0.1',
      master_link_status: 'up',
      slave0: 'ip=127.0.0.1,port=7001,state=online',
    });
  });

  it('reads CLUSTER INFO', () => {
    expect(parseRedisInfo('cluster_state:ok\r\ncluster_slots_ok:16384\r\n')).toEqual({
      cluster_state: 'ok',
      cluster_slots_ok: '16384',
    });
  });
});
