import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU accounting from /proc, so a batch can say where its time went: the server under
 * test, MariaDB, the bench itself (load generator + SMTP sink), and how busy the whole
 * machine was (2 shared cores: a busy machine caps every figure).
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** user+system CPU of a process, ms; 0 when it cannot be read (gone, or not ours). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields resume after the parenthesised command name; utime and stime are fields 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The MariaDB/MySQL server process on this machine, when there is one to see. */
export function findDatabasePid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') return Number(entry);
    } catch {
      // raced with an exiting process
    }
  }
  return undefined;
}

/** Machine-wide CPU ms since boot, all cores: busy and total (idle + iowait are not busy). */
function machineMs(): { busy: number; total: number } {
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = ticks.slice(0, 8).map(Number) as number[];
  const total = user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!;
  return { busy: (total - idle! - iowait!) * TICK_MS, total: total * TICK_MS };
}

export interface CpuUse {
  server: number;
  database: number;
  bench: number;
  machineBusy: number;
  machineTotal: number;
}

export const noCpu = (): CpuUse => ({ server: 0, database: 0, bench: 0, machineBusy: 0, machineTotal: 0 });

/** Starts a measurement; the returned function gives the CPU used since. */
export function cpuMeter(serverPid: number | undefined, databasePid: number | undefined): () => CpuUse {
  const benchMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const before = { server: processCpuMs(serverPid), database: processCpuMs(databasePid), bench: benchMs(), machine: machineMs() };
  return () => {
    const machine = machineMs();
    return {
      server: processCpuMs(serverPid) - before.server,
      database: processCpuMs(databasePid) - before.database,
      bench: benchMs() - before.bench,
      machineBusy: machine.busy - before.machine.busy,
      machineTotal: machine.total - before.machine.total,
    };
  };
}

export const addCpu = (a: CpuUse, b: CpuUse): CpuUse => ({
  server: a.server + b.server,
  database: a.database + b.database,
  bench: a.bench + b.bench,
  machineBusy: a.machineBusy + b.machineBusy,
  machineTotal: a.machineTotal + b.machineTotal,
});
