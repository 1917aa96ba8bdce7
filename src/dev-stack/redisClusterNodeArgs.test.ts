import { describe, expect, it } from 'vitest';
import { redisClusterNodeArgs } from './redisClusterNodeArgs.ts';

/** `--name value` pairs as a record. */
const options = (args: string[]) => {
  const record: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 2) record[args[index]!] = args[index + 1]!;
  return record;
};

describe('redisClusterNodeArgs', () => {
  it('starts a cluster node on its own ports and config file, in memory only', () => {
    const args = redisClusterNodeArgs({ port: 23001, busPort: 24001, dir: '/tmp/c', nodeTimeoutMs: 1_500 });
    expect(args.length % 2).toBe(0);
    expect(options(args)).toMatchObject({
      '--port': '23001',
      '--bind': '127.0.0.1',
      '--dir': '/tmp/c',
      '--cluster-enabled': 'yes',
      '--cluster-config-file': '/tmp/c/nodes-23001.conf',
      '--cluster-port': '24001',
      '--cluster-node-timeout': '1500',
      '--cluster-replica-validity-factor': '0',
      '--save': '',
      '--appendonly': 'no',
      '--dbfilename': 'dump-23001.rdb',
      '--repl-diskless-load': 'swapdb',
    });
  });

  it('gives nodes sharing a folder different files', () => {
    const [a, b] = [23001, 23002].map((port) =>
      options(redisClusterNodeArgs({ port, busPort: port + 1_000, dir: '/tmp/c', nodeTimeoutMs: 1_500 })),
    );
    expect(a!['--cluster-config-file']).not.toBe(b!['--cluster-config-file']);
    expect(a!['--dbfilename']).not.toBe(b!['--dbfilename']);
  });
});
