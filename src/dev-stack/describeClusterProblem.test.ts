import { describe, expect, it } from 'vitest';
import { type ClusterNodeView, describeClusterProblem } from './describeClusterProblem.ts';
import { parseClusterNodes } from './parseClusterNodes.ts';

const okInfo = { cluster_state: 'ok', cluster_slots_ok: '16384' };
const healthyNodes = [
  'a 127.0.0.1:7000@17000 master - 0 0 1 connected 0-8191',
  'b 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383',
  'c 127.0.0.1:7002@17002 slave a 0 0 1 connected',
];

/** The view of `address` with `lines` as its CLUSTER NODES (its own line flagged `myself`). */
function view(
  address: string,
  lines = healthyNodes,
  overrides: Partial<ClusterNodeView> = {},
): ClusterNodeView {
  const nodes = parseClusterNodes(lines.join('\n')).map((node) =>
    node.address === address ? { ...node, flags: ['myself', ...node.flags] } : node,
  );
  const replica = nodes.find((node) => node.address === address)?.flags.includes('slave');
  return {
    address,
    clusterInfo: okInfo,
    replication: replica ? { role: 'slave', master_link_status: 'up' } : { role: 'master' },
    nodes,
    ...overrides,
  } as ClusterNodeView;
}

const healthy = () => ['127.0.0.1:7000', '127.0.0.1:7001', '127.0.0.1:7002'].map((address) => view(address));

describe('describeClusterProblem', () => {
  it('finds nothing wrong with a cluster whose nodes agree and are all ok', () => {
    expect(describeClusterProblem(healthy())).toBeUndefined();
  });

  it('names a node that does not answer', () => {
    const views = healthy();
    views[1] = { address: '127.0.0.1:7001', error: 'connect ECONNREFUSED' };
    expect(describeClusterProblem(views)).toBe('127.0.0.1:7001 does not answer: connect ECONNREFUSED');
  });

  it('names a node whose cluster state is not ok', () => {
    const views = healthy();
    views[2] = view('127.0.0.1:7002', healthyNodes, { clusterInfo: { cluster_state: 'fail' } });
    expect(describeClusterProblem(views)).toBe('127.0.0.1:7002 reports cluster_state:fail');
  });

  it('waits for a failover: slots of a killed master are not served', () => {
    // 7000 was killed and is not among the running nodes; the others have not yet marked it failing.
    const views = [view('127.0.0.1:7001'), view('127.0.0.1:7002')];
    expect(describeClusterProblem(views)).toBe(
      '127.0.0.1:7001 sees slots 0-8191 served by 127.0.0.1:7000, which is not running',
    );
  });

  it('waits until a restarted node is no longer seen as failing', () => {
    const lines = [...healthyNodes];
    lines[2] = 'c 127.0.0.1:7002@17002 slave,fail a 0 0 1 connected';
    const views = healthy();
    views[0] = view('127.0.0.1:7000', lines);
    expect(describeClusterProblem(views)).toBe('127.0.0.1:7000 sees 127.0.0.1:7002 as fail');
  });

  it('waits until the nodes agree on who serves which slots', () => {
    const moved = [
      'a 127.0.0.1:7000@17000 master - 0 0 1 connected 0-8190',
      'b 127.0.0.1:7001@17001 master - 0 0 2 connected 8191-16383',
      'c 127.0.0.1:7002@17002 slave a 0 0 1 connected',
    ];
    const views = healthy();
    views[1] = view('127.0.0.1:7001', moved);
    expect(describeClusterProblem(views)).toBe(
      '127.0.0.1:7001 and 127.0.0.1:7000 disagree on which node serves which slots',
    );
  });

  it('waits until a replica is linked to its master', () => {
    const views = healthy();
    views[2] = view('127.0.0.1:7002', healthyNodes, {
      replication: { role: 'slave', master_link_status: 'down' },
    });
    expect(describeClusterProblem(views)).toBe(
      '127.0.0.1:7002 is a replica whose link to its master is down',
    );
  });
});
