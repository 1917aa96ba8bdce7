import { readdirSync, readFileSync } from 'node:fs';

/** A process seen in /proc; `startTime` tells a live process from a later one that reused its pid. */
export type ProcessInfo = { pid: number; ppid: number; pgid: number; startTime: string; command: string };

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name in parentheses may contain spaces: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), startTime: fields[19] ?? '', command };
  } catch {
    return undefined;
  }
}

/** Every live (non-zombie) process on this machine (Linux /proc). */
export function listProcesses(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readProcess(Number(name)) ?? []);
}

/** All live descendants of `pid` (children, grandchildren, …), whatever process group they are in. */
export function listDescendants(pid: number): ProcessInfo[] {
  const all = listProcesses();
  const found: ProcessInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const process of all) {
      if (parents.has(process.ppid) && !parents.has(process.pid)) {
        parents.add(process.pid);
        found.push(process);
        grew = true;
      }
    }
  }
  return found;
}

/** Which of `processes` still run (same pid and start time). */
export function stillRunning(processes: ProcessInfo[]): ProcessInfo[] {
  return processes.filter((process) => readProcess(process.pid)?.startTime === process.startTime);
}

/** Live members of process group `pgid`. */
export function processGroupMembers(pgid: number): ProcessInfo[] {
  return listProcesses().filter((process) => process.pgid === pgid);
}
