/**
 * CPU time of the processes under test, from /proc (Linux): utime + stime of a process, and for PostgreSQL the
 * postmaster with every live child (backends, background workers) plus what exited children left in the
 * postmaster's cutime + cstime. Sampled before and after a measuring window; the delta ÷ requests is the CPU
 * one request cost. Reading /proc costs the servers nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux everywhere that matters). */
const HZ = 100;

interface Stat {
  ppid: number;
  /** utime + stime, ticks. */
  own: number;
  /** cutime + cstime (waited-for children), ticks. */
  children: number;
}

/** A process's or a thread's stat file (`/proc/<pid>/stat`, `/proc/<pid>/task/<tid>/stat`), or null once it has gone. */
function statAt(path: string): (Stat & { name: string }) | null {
  try {
    const raw = readFileSync(path, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: fields start after the last ')'.
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return {
      name: raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')')),
      ppid: Number(f[1]),
      own: Number(f[11]) + Number(f[12]),
      children: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null;
  }
}
const stat = (pid: number) => statAt(`/proc/${pid}/stat`);

/**
 * CPU seconds used so far by each of a process's live threads, summed by thread name (MainThread, WorkerThread,
 * V8Worker…): where a process's CPU goes, V8's helper threads included.
 */
export function threadCpuByName(pid: number | 'self' = 'self'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const s = statAt(`/proc/${pid}/task/${tid}/stat`);
    if (s) out[s.name] = (out[s.name] ?? 0) + s.own / HZ;
  }
  return out;
}

/** CPU seconds used so far by one process. */
export function processCpu(pid: number): number {
  return (stat(pid)?.own ?? 0) / HZ;
}

/** The postmaster's pid, from the first line of postmaster.pid in the data dir. */
export function postmasterPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** CPU seconds used so far by PostgreSQL: the postmaster, its live children and its exited children. */
export function postgresCpu(postmaster: number): number {
  const root = stat(postmaster);
  if (!root) return 0;
  let ticks = root.own + root.children;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = stat(Number(name));
    if (s && s.ppid === postmaster) ticks += s.own;
  }
  return ticks / HZ;
}

/** Resident set size of a process in MiB (VmRSS), or NaN. */
export function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
