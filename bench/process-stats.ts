// A process's CPU time and resident memory, from /proc (Linux): the bench samples the worker's and the
// Temporal server's while a load runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks(); // utime, stime (fields 14, 15)
}

/** Resident memory in MiB. */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** Samples processes every second: CPU use over the whole window and the largest RSS. */
export class ProcessSampler {
  private timer?: NodeJS.Timeout;
  private readonly start = new Map<number, { cpu: number; at: number }>();
  private readonly maxRss = new Map<number, number>();

  constructor(private readonly pids: readonly number[]) {}

  begin(): void {
    for (const pid of this.pids) {
      this.start.set(pid, { cpu: cpuSeconds(pid), at: Date.now() });
      this.maxRss.set(pid, rssMiB(pid));
    }
    this.timer = setInterval(() => {
      for (const pid of this.pids) this.maxRss.set(pid, Math.max(this.maxRss.get(pid) ?? 0, rssMiB(pid)));
    }, 1000);
  }

  /** Per pid: CPU as % of one core over the window, and the largest RSS seen (MiB). */
  end(): Map<number, { cpuPercent: number; maxRssMiB: number }> {
    clearInterval(this.timer);
    const out = new Map<number, { cpuPercent: number; maxRssMiB: number }>();
    for (const pid of this.pids) {
      const start = this.start.get(pid) as { cpu: number; at: number };
      const seconds = (Date.now() - start.at) / 1000;
      out.set(pid, {
        cpuPercent: (100 * (cpuSeconds(pid) - start.cpu)) / seconds,
        maxRssMiB: Math.max(this.maxRss.get(pid) ?? 0, rssMiB(pid)),
      });
    }
    return out;
  }
}
