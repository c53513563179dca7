// `npm run bench`: the bench on a lab of its own. Prints the table and writes bench/RESULTS.md (its
// "Latest run" part; the rest of the file, the record of changes, is kept). `--smoke` is the CI mode:
// a few samples of everything, seconds not minutes, so the bench cannot rot; its figures mean nothing.
//   node dist/bench/main.js [--smoke] [--only latency,scale,history] [--samples N] [--scale 10,100,300,1000]
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
import { summarize } from './stats.js';

const GOALS: Record<string, string> = {
  'promote → weight written': 'p50 ≤ 50, p99 ≤ 150',
  'failing measurement → weight 0': 'p99 ≤ 200',
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      samples: { type: 'string' },
      results: { type: 'string' },
    },
  });
  const smoke = values.smoke ?? false;
  const only = new Set((values.only ?? 'latency').split(',').map((s) => s.trim()));
  const samples = Number(values.samples ?? (smoke ? 5 : 100));
  const figures: Figure[] = [];
  const lab = await BenchLab.start();
  try {
    if (only.has('latency')) {
      const out: LatencySamples = {};
      for (const run of [
        floor,
        promoteToWeight,
        abortToZero,
        failingMeasurementToZero,
        setImageToReplicaSet,
      ]) {
        const started = Date.now();
        await run(lab, samples, out);
        console.log(`bench: ${run.name}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
      for (const [name, ms] of Object.entries(out))
        figures.push({ section: 'latency', name, unit: 'ms', summary: summarize(ms), goal: GOALS[name] });
    }
  } finally {
    await lab.stop();
  }
  console.log(table(figures));
  const results = values.results ?? path.join(repoRoot, 'bench', smoke ? '.smoke-RESULTS.md' : 'RESULTS.md');
  writeLatest(results, figures, smoke);
  console.log(`bench: wrote ${path.relative(repoRoot, results)}`);
}

const LATEST_START = '<!-- latest run: written by npm run bench -->';
const LATEST_END = '<!-- end of latest run -->';

/** Replaces the latest-run part of RESULTS.md and keeps the rest (the record of each change). */
function writeLatest(file: string, figures: readonly Figure[], smoke: boolean): void {
  const latest = [
    LATEST_START,
    `## Latest run${smoke ? ' (smoke: figures mean nothing)' : ''}`,
    '',
    ...environment(),
    '',
    markdownTable(figures),
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
