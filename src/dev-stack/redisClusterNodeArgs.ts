/** Parameters of {@link redisClusterNodeArgs}. */
export type RedisClusterNodeArgsParameters = {
  /** Client port. */
  port: number;
  /** Cluster bus port (gossip and failover votes between the nodes). */
  busPort: number;
  /** Working folder; the node's `nodes-<port>.conf` is kept here across restarts. */
  dir: string;
  /** Time after which an unreachable node counts as failing (`cluster-node-timeout`). */
  nodeTimeoutMs: number;
  /** Bind address. Default 127.0.0.1. */
  host?: string | undefined;
};

/**
 * The `redis-server` arguments of one Redis Cluster node for local development and tests: data in
 * memory only, its own cluster config file and bus port, and a short node timeout so that a killed
 * master's replica takes over within seconds.
 */
export function redisClusterNodeArgs(parameters: RedisClusterNodeArgsParameters): string[] {
  const { port, busPort, dir, nodeTimeoutMs, host = '127.0.0.1' } = parameters;
  return [
    '--port',
    String(port),
    '--bind',
    host,
    '--dir',
    dir,
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `${dir}/nodes-${port}.conf`,
    // The default bus port (port + 10 000) may fall in the OS's range for outgoing connections' local
    // ports, where a connection could take it while the node is down.
    '--cluster-port',
    String(busPort),
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // A replica refuses to fail over when its last contact with the master is older than
    // node-timeout × factor; 0 lets a replica that never finished its sync take over too.
    '--cluster-replica-validity-factor',
    '0',
    '--save',
    '',
    '--appendonly',
    'no',
    // Every node shares the folder: a replica's full sync must not go through a shared dump.rdb, and
    // a node started again must not load a dump of its earlier life.
    '--dbfilename',
    `dump-${port}.rdb`,
    '--repl-diskless-load',
    'swapdb',
    // The default 5 s wait for more replicas delays every replica's first sync.
    '--repl-diskless-sync-delay',
    '0',
  ];
}
