// `npm run bench`: the bench on a lab of its own. Prints the table and writes bench/RESULTS.md (its
// "Latest run" part; the rest of the file, the record of changes, is kept). `--smoke` is the CI mode:
// a few samples of everything, seconds not minutes, so the bench cannot rot; its figures mean nothing.
//   node dist/bench/main.js [--smoke] [--only latency,scale,history] [--samples N] [--scale 10,100,300,1000]
//     [--latency floor,promote,abort,measure,image] [--results FILE]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../test/support/paths.js';
import { BenchLab } from './bench-lab.js';
import {
  abortToZero,
  failingMeasurementToZero,
  floor,
  promoteToWeight,
  setImageToReplicaSet,
  type LatencySamples,
} from './latency.js';
import { environment, markdownTable, table, type Figure } from './report.js';
import { historyFigures, type HistoryFigures } from './history.js';
import { scalePlot } from './plot.js';
import { INTERVAL_SECONDS, scale, type ScaleResult } from './scale.js';
import { summarize, type Summary } from './stats.js';

const GOALS: Record<string, string> = {
  'promote → weight written': 'p50 ≤ 50, p99 ≤ 150',
  'failing measurement → weight 0': 'p99 ≤ 200',
};

const LATENCY_RUNS = {
  floor,
  promote: promoteToWeight,
  abort: abortToZero,
  measure: failingMeasurementToZero,
  image: setImageToReplicaSet,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      samples: { type: 'string' },
      results: { type: 'string' },
      latency: { type: 'string' },
      scale: { type: 'string' },
      window: { type: 'string' },
      'keep-lab': { type: 'boolean', default: false },
    },
  });
  const smoke = values.smoke ?? false;
  // Naming the parts of a section (--latency, --scale) runs that section alone unless --only says more.
  const named = [values.latency && 'latency', values.scale && 'scale'].filter(Boolean).join(',');
  const only = new Set((values.only ?? (named || 'latency,scale,history')).split(',').map((s) => s.trim()));
  const sizes = (values.scale ?? (smoke ? '10' : '10,100,300,1000')).split(',').map(Number);
  const windowSeconds = Number(values.window ?? (smoke ? 25 : 120));
  const scaleResults: ScaleResult[] = [];
  const notes: string[] = [];
  const samples = Number(values.samples ?? (smoke ? 5 : 100));
  const figures: Figure[] = [];
  const lab = await BenchLab.start();
  try {
    if (only.has('latency')) {
      const out: LatencySamples = {};
      const chosen = values.latency?.split(',').map((name) => name.trim());
      const runs = Object.entries(LATENCY_RUNS).filter(([key]) => !chosen || chosen.includes(key));
      for (const [, run] of runs) {
        const started = Date.now();
        const before = new Set(Object.keys(out));
        await run(lab, samples, out);
        console.log(`bench: ${run.name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
        // Each figure as soon as it is measured: a long run cut short keeps what it has.
        for (const [name, ms] of Object.entries(out))
          if (!before.has(name)) console.log(`bench:   ${name}: ${line(summarize(ms))}`);
      }
      for (const [name, ms] of Object.entries(out))
        figures.push({ section: 'latency', name, unit: 'ms', summary: summarize(ms), goal: GOALS[name] });
    }
    if (only.has('scale'))
      for (const n of sizes) {
        const started = Date.now();
        try {
          const result = await scale(lab, n, windowSeconds);
          scaleResults.push(result);
          figures.push(...scaleFigures(result));
        } catch (err) {
          // Where it breaks is a result too; the smoke run (CI) must not break at all.
          if (smoke) throw err;
          notes.push(`scale N=${n} did not complete: ${(err as Error).message}`);
          console.log(`bench: ${notes.at(-1)}`);
          break;
        }
        console.log(`bench: scale ${n}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    if (only.has('history')) {
      const measured = scaleResults.length ? 's-0000' : 'lat-measure';
      const idleSeconds = smoke ? 10 : 120;
      figures.push(...historyTable(await historyFigures(lab, 'lat-promote', measured, idleSeconds)));
    }
  } finally {
    await lab.stop({ keepLab: values['keep-lab'] ?? false });
  }
  if (scaleResults.length) {
    const plot = path.join(repoRoot, 'bench', smoke ? '.smoke-scale.svg' : 'scale.svg');
    fs.writeFileSync(plot, scalePlot(scaleResults));
    console.log(`bench: drew ${path.relative(repoRoot, plot)}`);
  }
  console.log(table(figures));
  const results = values.results ?? path.join(repoRoot, 'bench', smoke ? '.smoke-RESULTS.md' : 'RESULTS.md');
  writeLatest(results, figures, notes, smoke);
  console.log(`bench: wrote ${path.relative(repoRoot, results)}`);
}

const one = (x: number) => summarize([x]);
const line = (s: Summary) =>
  `p50 ${s.p50.toFixed(1)} p90 ${s.p90.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms (n=${s.count})`;

/** One N's figures: the rollout's beside the bare workflow's, and the ratio of their worker CPU. */
function scaleFigures(r: ScaleResult): Figure[] {
  const section = `scale N=${r.n}`;
  const big = r.n >= 1000;
  return [
    {
      section,
      name: `apply ${r.n} rollouts (one file)`,
      unit: 's',
      summary: one(r.applySeconds),
      goal: big ? '≤ 20' : undefined,
    },
    {
      section,
      name: `rollouts list -n (${r.n})`,
      unit: 's',
      summary: one(r.listSeconds),
      goal: big ? '≤ 1' : undefined,
    },
    {
      section,
      name: 'measurement lateness (rollout)',
      unit: 'ms',
      summary: r.rollout.lateness,
      goal: big ? 'p99 ≤ 1000' : undefined,
    },
    { section, name: 'measurement lateness (bare)', unit: 'ms', summary: r.bare.lateness },
    {
      section,
      name: 'workflow task schedule-to-start (rollout)',
      unit: 'ms',
      summary: r.rollout.scheduleToStart,
    },
    { section, name: 'workflow task schedule-to-start (bare)', unit: 'ms', summary: r.bare.scheduleToStart },
    {
      section,
      name: `measurements per second (due ${(r.n / INTERVAL_SECONDS).toFixed(1)})`,
      unit: '/s',
      summary: one(r.rollout.measurementsPerSecond),
    },
    { section, name: 'worker CPU (rollout)', unit: '%', summary: one(r.rollout.workerCpuPercent) },
    { section, name: 'worker CPU (bare)', unit: '%', summary: one(r.bare.workerCpuPercent) },
    {
      section,
      name: 'worker CPU, rollout ÷ bare',
      unit: 'ratio',
      summary: one(r.rollout.workerCpuPercent / r.bare.workerCpuPercent),
      goal: big ? '≤ 1.2' : undefined,
    },
    {
      section,
      name: 'worker RSS max (rollout)',
      unit: 'MiB',
      summary: one(r.rollout.workerMaxRssMiB),
      goal: big ? '≤ 1024' : undefined,
    },
    { section, name: 'worker RSS max (bare)', unit: 'MiB', summary: one(r.bare.workerMaxRssMiB) },
    { section, name: 'Temporal server CPU (rollout)', unit: '%', summary: one(r.rollout.temporalCpuPercent) },
    { section, name: 'Temporal server CPU (bare)', unit: '%', summary: one(r.bare.temporalCpuPercent) },
  ];
}

function historyTable(h: HistoryFigures): Figure[] {
  const section = 'history';
  const figures: Figure[] = [];
  if (h.eventsPerStep !== undefined)
    figures.push({
      section,
      name: 'events per step (setWeight or pause, by promote)',
      unit: 'events',
      summary: one(h.eventsPerStep),
    });
  if (h.eventsPerMeasurement !== undefined)
    figures.push({
      section,
      name: 'events per measurement',
      unit: 'events',
      summary: one(h.eventsPerMeasurement),
    });
  if (h.idleEventsPerHour !== undefined)
    figures.push({
      section,
      name: `events per hour of an idle rollout (over ${h.idleSeconds} s)`,
      unit: 'events',
      summary: one(h.idleEventsPerHour),
      goal: '≤ 1',
    });
  if (h.idleRequestsPerMinute !== undefined)
    figures.push({
      section,
      name: `Kubernetes requests per minute while every rollout is idle (over ${h.idleSeconds} s)`,
      unit: 'count',
      summary: one(h.idleRequestsPerMinute),
      goal: '0',
    });
  if (h.largestContinuedRun)
    figures.push({
      section,
      name: `largest run before continue-as-new (${h.largestContinuedRun.workflowId})`,
      unit: 'events',
      summary: one(h.largestContinuedRun.events),
    });
  if (h.largestOpenRun)
    figures.push({
      section,
      name: `largest open run (${h.largestOpenRun.workflowId})`,
      unit: 'events',
      summary: one(h.largestOpenRun.events),
    });
  return figures;
}

const LATEST_START = '<!-- latest run: written by npm run bench -->';
const LATEST_END = '<!-- end of latest run -->';

/** Replaces the latest-run part of RESULTS.md and keeps the rest (the record of each change). */
function writeLatest(
  file: string,
  figures: readonly Figure[],
  notes: readonly string[],
  smoke: boolean,
): void {
  const latest = [
    LATEST_START,
    `## Latest run${smoke ? ' (smoke: figures mean nothing)' : ''}`,
    '',
    ...environment(),
    '',
    markdownTable(figures),
    ...(notes.length ? ['', ...notes.map((note) => `- ${note}`)] : []),
    LATEST_END,
  ].join('\n');
  const before = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Bench results\n\n' + LATEST_START + LATEST_END + '\n';
  const start = before.indexOf(LATEST_START);
  const end = before.indexOf(LATEST_END);
  const next =
    start >= 0 && end > start
      ? before.slice(0, start) + latest + before.slice(end + LATEST_END.length)
      : `${before.trimEnd()}\n\n${latest}\n`;
  fs.writeFileSync(file, next);
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
