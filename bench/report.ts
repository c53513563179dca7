// What a bench run prints and writes: a table of every figure (p50/p90/p99 and sample count), and
// bench/RESULTS.md with the date, the machine and the versions, so a figure always says where it came from.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../test/support/paths.js';
import type { Summary } from './stats.js';

export interface Figure {
  section: string;
  name: string;
  unit: 'ms' | 's' | '%' | 'MiB' | 'count' | '/s' | 'ratio' | 'events';
  summary: Summary;
  /** The goal, as text (e.g. "p50 ≤ 50, p99 ≤ 150"). */
  goal?: string;
}

const round = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');

export function table(figures: readonly Figure[]): string {
  const header = ['figure', 'unit', 'p50', 'p90', 'p99', 'max', 'n', 'goal'];
  const rows = figures.map((f) => [
    `${f.section}: ${f.name}`,
    f.unit,
    round(f.summary.p50),
    round(f.summary.p90),
    round(f.summary.p99),
    round(f.summary.max),
    String(f.summary.count),
    f.goal ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function markdownTable(figures: readonly Figure[]): string {
  const rows = figures.map(
    (f) =>
      `| ${f.section} | ${f.name} | ${f.unit} | ${round(f.summary.p50)} | ${round(f.summary.p90)} | ${round(f.summary.p99)} | ${round(f.summary.max)} | ${f.summary.count} | ${f.goal ?? ''} |`,
  );
  return [
    '| section | figure | unit | p50 | p90 | p99 | max | n | goal |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000 }).split('\n')[0]?.trim() ?? '?';
  } catch {
    return '?';
  }
}

function dirty(): boolean {
  try {
    return (
      execFileSync('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no'], {
        encoding: 'utf8',
      }).trim() !== ''
    );
  } catch {
    return false;
  }
}

/** Date, machine and versions, as markdown lines. */
export function environment(): string[] {
  const tools = path.join(repoRoot, '.tools', 'bin');
  const cpus = os.cpus();
  return [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${cpus.length} × ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} at the end`,
    `- Node ${process.versions.node}; Temporal CLI: ${version(path.join(tools, 'temporal'), ['--version'])}`,
    `- kube-apiserver: ${version(path.join(tools, 'kube-apiserver'), ['--version'])}; etcd: ${version(path.join(tools, 'etcd'), ['--version'])}`,
    `- commit: ${version('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD'])}${dirty() ? ' with uncommitted changes' : ''}`,
  ];
}
