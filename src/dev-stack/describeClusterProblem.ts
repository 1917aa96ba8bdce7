import type { ClusterNodesEntry } from './parseClusterNodes.ts';

/** Redis Cluster's fixed number of hash slots. */
export const CLUSTER_SLOTS = 16_384;

/** What one node says about the cluster, or why it could not be asked. */
export type ClusterNodeView =
  | {
      /** The node asked, `host:port`. */
      address: string;
      /** Its `CLUSTER INFO` fields. */
      clusterInfo: Record<string, string>;
      /** Its `INFO replication` fields. */
      replication: Record<string, string>;
      /** Its `CLUSTER NODES` reply. */
      nodes: ClusterNodesEntry[];
    }
  | { address: string; error: string };

const unhealthyFlags = new Set(['fail', 'fail?', 'handshake', 'noaddr']);

/**
 * The first thing that keeps a cluster from being healthy, judged from the views of all its running
 * nodes (and only those), or `undefined` when there is none: every node answers and reports
 * `cluster_state:ok` with every slot served, knows every other running node as connected and not
 * failing, sees every slot served by a running master, and agrees with the others on who serves
 * which slots; every replica's link to its master is up.
 */
export function describeClusterProblem(views: ClusterNodeView[]): string | undefined {
  const running = new Set(views.map((view) => view.address));
  let agreed: { address: string; owners: string } | undefined;
  for (const view of views) {
    if ('error' in view) return `${view.address} does not answer: ${view.error}`;
    const { address, clusterInfo, replication, nodes } = view;
    if (clusterInfo.cluster_state !== 'ok') {
      return `${address} reports cluster_state:${clusterInfo.cluster_state ?? 'unknown'}`;
    }
    if (Number(clusterInfo.cluster_slots_ok) !== CLUSTER_SLOTS) {
      return `${address} reports ${clusterInfo.cluster_slots_ok ?? 'no'} of ${CLUSTER_SLOTS} slots served`;
    }
    for (const other of running) {
      if (other === address) continue;
      const entry = nodes.find((node) => node.address === other);
      if (!entry) return `${address} does not know ${other}`;
      const bad = entry.flags.filter((flag) => unhealthyFlags.has(flag));
      if (bad.length > 0) return `${address} sees ${other} as ${bad.join(',')}`;
      if (entry.linkState !== 'connected') return `${address} sees ${other} as ${entry.linkState}`;
    }
    const ranges = nodes
      .filter((node) => node.flags.includes('master'))
      .flatMap((node) => node.slots.map(([start, end]) => ({ start, end, owner: node.address })))
      .sort((a, b) => a.start - b.start);
    const stranded = ranges.find(({ owner }) => !running.has(owner));
    if (stranded) {
      return `${address} sees slots ${stranded.start}-${stranded.end} served by ${stranded.owner}, which is not running`;
    }
    const owners = ranges.map(({ start, end, owner }) => `${start}-${end}=${owner}`).join(' ');
    agreed ??= { address, owners };
    if (owners !== agreed.owners) {
      return `${address} and ${agreed.address} disagree on which node serves which slots`;
    }
    if (replication.role === 'slave' && replication.master_link_status !== 'up') {
      return `${address} is a replica whose link to its master is ${replication.master_link_status ?? 'unknown'}`;
    }
  }
  return undefined;
}
