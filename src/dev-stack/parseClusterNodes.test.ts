import { describe, expect, it } from 'vitest';
import { parseClusterNodes } from './parseClusterNodes.ts';

describe('parseClusterNodes', () => {
  it('reads addresses, flags, masters and slot ranges', () => {
    const text = [
      'aaa 127.0.0.1:7000@17000 myself,master - 0 1700000000000 1 connected 0-5460 5462',
      'bbb 127.0.0.1:7001@17001 slave aaa 0 1700000000000 1 connected',
      'ccc 127.0.0.1:7002@17002,node-c master,fail - 1700000000000 1700000000000 3 disconnected',
      'ddd 127.0.0.1:7003@17003 master - 0 1700000000000 4 connected 5461 5463-16383 [5464->-eee] [5465-<-fff]',
      '',
    ].join('\n');
    expect(parseClusterNodes(text)).toEqual([
      {
        id: 'aaa',
        address: '127.0.0.1:7000',
        flags: ['myself', 'master'],
        masterId: undefined,
        linkState: 'connected',
        slots: [
          [0, 5460],
          [5462, 5462],
        ],
      },
      {
        id: 'bbb',
        address: '127.0.0.1:7001',
        flags: ['slave'],
        masterId: 'aaa',
        linkState: 'connected',
        slots: [],
      },
      {
        id: 'ccc',
        address: '127.0.0.1:7002',
        flags: ['master', 'fail'],
        masterId: undefined,
        linkState: 'disconnected',
        slots: [],
      },
      {
        id: 'ddd',
        address: '127.0.0.1:7003',
        flags: ['master'],
        masterId: undefined,
        linkState: 'connected',
        slots: [
          [5461, 5461],
          [5463, 16383],
        ],
      },
    ]);
  });
});
