/**
 * Process and kernel counters for the bench, read from /proc (Linux only): CPU time and memory
 * of a child by pid (works the same for the udp-chat server, the relay and the Python seed), and
 * the UDP counters of /proc/net/snmp.
 */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time a process has used so far, in milliseconds; undefined if it is gone. From the
 * scheduler's nanosecond counters of all its threads (/proc/<pid>/task/<tid>/schedstat), so that
 * a short step at a low rate is not lost in the 10 ms ticks of /proc/<pid>/stat (the fallback).
 * Threads that ended earlier are not counted: take differences over a step, not over a lifetime.
 */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    if (ns > 0) return ns / 1e6;
  } catch {
    // no schedstat: use the ticks below
  }
  return statCpuMs(pid);
}

/** CPU time (user + system) from /proc/<pid>/stat, in 10 ms ticks; undefined if the process is gone. */
function statCpuMs(pid: number): number | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;
  } catch {
    return undefined;
  }
}

/** The command name and CPU time (user + system, ms) of a /proc/<pid>/stat line. */
function parseStat(stat: string): { name: string; ms: number } {
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_SECOND };
}

/** Resident set size of a process in bytes; undefined if it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return undefined;
  }
}

/** The `Udp:` line of /proc/net/snmp as a name → value map (InDatagrams, RcvbufErrors, …). */
export function udpCounters(): Record<string, number> {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = (lines[0] ?? '').split(/\s+/).slice(1);
    const values = (lines[1] ?? '').split(/\s+/).slice(1).map(Number);
    return Object.fromEntries(names.map((n, i) => [n, values[i] ?? 0]));
  } catch {
    return {};
  }
}

/** Number of CPU cores. */
export function cores(): number {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  } catch {
    return 1;
  }
}

/** CPU model name. */
export function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for tools that cannot bind port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Whole-machine CPU ticks from /proc/stat: busy (everything but idle and iowait) and total. */
export function machineTicks(): { busy: number; total: number } {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const v = first.trim().split(/\s+/).slice(1).map(Number);
    const total = v.reduce((a, b) => a + b, 0);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU ms of every process on the machine between two {@link machineTicks} readings. */
export function busyMsBetween(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  return ((b.busy - a.busy) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU ms so far of every process on the machine, by pid, with its command name. */
export function processTimes(): Map<number, { name: string; ms: number }> {
  const out = new Map<number, { name: string; ms: number }>();
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of pids) {
    try {
      out.set(Number(d), parseStat(readFileSync(`/proc/${d}/stat`, 'utf8')));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The `n` processes (alive at both readings, not in `exclude`) that used most CPU between two readings, as a share of one core. */
export function topProcesses(a: Map<number, { name: string; ms: number }>, b: Map<number, { name: string; ms: number }>, wallMs: number, exclude: ReadonlySet<number>, n = 5): { name: string; share: number }[] {
  const used: { name: string; share: number }[] = [];
  for (const [pid, after] of b) {
    const before = a.get(pid);
    if (before === undefined || exclude.has(pid) || before.name !== after.name) continue;
    used.push({ name: `${after.name}[${pid}]`, share: (after.ms - before.ms) / wallMs });
  }
  return used.sort((x, y) => y.share - x.share).slice(0, n).filter((x) => x.share >= 0.01);
}
