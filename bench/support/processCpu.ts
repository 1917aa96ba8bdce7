/**
 * CPU time of the processes a benchmark runs on this machine, read from Linux's /proc: each process's
 * user + system time, grouped by role, and the whole machine's busy time. Elsewhere (no /proc) the
 * snapshots are empty and the figures print as n/a.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Seconds of CPU per role, and the machine's busy and elapsed CPU seconds (all cores). */
export type CpuSnapshot = { roles: Map<string, number>; busy: number; total: number; at: number };

/** Names the role of a process from its pid and command line; undefined: not counted. */
export type RoleOf = (pid: number, commandLine: string) => string | undefined;

const ticksPerSecond = 100;

function readSafe(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** User + system seconds of a process from /proc/<pid>/stat (fields 14 and 15). */
function processSeconds(pid: number): number | undefined {
  const stat = readSafe(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Takes a snapshot of every counted process and of the machine. */
export function cpuSnapshot(roleOf: RoleOf): CpuSnapshot {
  const roles = new Map<string, number>();
  const at = performance.now();
  if (!existsSync('/proc/stat')) return { roles, busy: Number.NaN, total: Number.NaN, at };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const commandLine = readSafe(`/proc/${pid}/cmdline`)?.replaceAll('\0', ' ') ?? '';
    const role = roleOf(pid, commandLine);
    if (!role) continue;
    const seconds = processSeconds(pid);
    if (seconds !== undefined) roles.set(role, (roles.get(role) ?? 0) + seconds);
  }
  // The first line of /proc/stat: user nice system idle iowait irq softirq steal … in ticks.
  const cpu = (readSafe('/proc/stat') ?? '').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = cpu[3]! + cpu[4]!;
  const total = cpu.reduce((sum, value) => sum + value, 0);
  return { roles, busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond, at };
}

/** CPU µs per item of each role between two snapshots, and how busy the machine's cores were (0–1). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot, items: number) {
  const perItem = new Map<string, number>();
  for (const [role, seconds] of after.roles)
    perItem.set(role, ((seconds - (before.roles.get(role) ?? 0)) * 1e6) / items);
  const busy = after.busy - before.busy;
  const total = after.total - before.total;
  return {
    perItem,
    busyShare: busy / total,
    machinePerItem: (busy * 1e6) / items,
    cores: availableParallelism(),
  };
}

/** `role 12.3 µs, …` in the order given, then the machine's busy share. */
export function formatCpu(cpu: ReturnType<typeof cpuBetween>, order: readonly string[]): string {
  if (Number.isNaN(cpu.busyShare)) return 'n/a (no /proc)';
  const parts = order
    .filter((role) => cpu.perItem.has(role))
    .map((role) => `${role} ${cpu.perItem.get(role)!.toFixed(1)}`);
  const counted = [...cpu.perItem.values()].reduce((sum, value) => sum + value, 0);
  return `${parts.join(', ')} (counted ${counted.toFixed(1)}; whole machine ${cpu.machinePerItem.toFixed(1)} µs, cores ${(100 * cpu.busyShare).toFixed(0)} % busy of ${cpu.cores})`;
}
