/** One line of a `CLUSTER NODES` reply. */
export type ClusterNodesEntry = {
  id: string;
  /** Client address, `host:port` (without the bus port). */
  address: string;
  /** e.g. `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`, `noaddr`. */
  flags: string[];
  /** Id of its master when it is a replica. */
  masterId: string | undefined;
  /** `connected` or `disconnected`. */
  linkState: string;
  /** Slot ranges it serves, inclusive; slots being imported or migrated are left out. */
  slots: [number, number][];
};

/** Parses a `CLUSTER NODES` reply (one node a line). */
export function parseClusterNodes(text: string): ClusterNodesEntry[] {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim())
    .map((line) => {
      const [id = '', endpoint = '', flags = '', master = '-', , , , linkState = '', ...slots] = line
        .trim()
        .split(' ');
      return {
        id,
        // `127.0.0.1:7000@17000` or, with a hostname announced, `127.0.0.1:7000@17000,host`.
        address: endpoint.split(/[@,]/)[0] ?? '',
        flags: flags.split(','),
        masterId: master === '-' ? undefined : master,
        linkState,
        slots: slots
          .filter((slot) => !slot.startsWith('['))
          .map((slot): [number, number] => {
            const [start, end = start] = slot.split('-').map(Number) as [number, number?];
            return [start, end];
          }),
      };
    });
}
