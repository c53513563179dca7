// Each fault scenario reports one row (test-output/faults/scenarios/<slug>.json); scripts/test-faults.sh
// prints them as the suite's table once every scenario has run (print-summary.ts).
import fs from 'node:fs';
import path from 'node:path';
import { testOutput } from '../../support/paths.js';

export const scenariosDir = path.join(testOutput, 'faults', 'scenarios');

export interface ScenarioRow {
  scenario: string;
  /** Rollouts (or, for bad input, cases) run. */
  runs: number;
  faultsInjected: number;
  /** Runs that ended exactly as expected. */
  completedCorrectly: number;
  /** Rollouts whose state was lost or wrong: must be 0. */
  lost: number;
  /** What was found on the way, one short line each. */
  notes?: string[];
}

export function recordScenario(row: ScenarioRow): void {
  fs.mkdirSync(scenariosDir, { recursive: true });
  const slug = row.scenario
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  fs.writeFileSync(path.join(scenariosDir, `${slug}.json`), `${JSON.stringify(row, null, 2)}\n`);
}

export function readScenarios(): ScenarioRow[] {
  if (!fs.existsSync(scenariosDir)) return [];
  return fs
    .readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(scenariosDir, f), 'utf8')) as ScenarioRow);
}

/** The table, aligned, with a totals line. */
export function formatTable(rows: ScenarioRow[]): string {
  const header = ['scenario', 'runs', 'faults injected', 'completed correctly', 'lost'];
  const body = rows.map((r) =>
    [r.scenario, r.runs, r.faultsInjected, r.completedCorrectly, r.lost].map(String),
  );
  const sum = (key: 'runs' | 'faultsInjected' | 'completedCorrectly' | 'lost') =>
    String(rows.reduce((n, r) => n + r[key], 0));
  const total = ['total', sum('runs'), sum('faultsInjected'), sum('completedCorrectly'), sum('lost')];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...[...body, total].map((row) => (row[i] as string).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
      .join('  ');
  return [line(header), ...body.map(line), line(total)].join('\n');
}
