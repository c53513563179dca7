// Counts for the fault suite's table. Each file of the bad-input suite (manifests, CLI, signals,
// providers) records how many bad inputs it tried and how many were handled as expected in
// test-output/faults/bad-input/<part>.json; every record then rewrites the totals,
// test-output/faults/bad-input.json ({scenario, runs, faultsInjected, handledCorrectly, lost}), and the
// suite's row in test-output/faults/scenarios/ (the shape scripts/test-faults.sh prints).
import fs from 'node:fs';
import path from 'node:path';
import { testOutput } from '../../support/paths.js';

export type Part = 'manifests' | 'cli' | 'signals' | 'providers';

export interface PartCounts {
  part: Part;
  /** Bad inputs tried. */
  tried: number;
  /** …that got the clear error expected, and broke nothing. */
  handled: number;
  /** One line per case that was not handled as expected. */
  failures: string[];
}

const faultsDir = path.join(testOutput, 'faults');
const partsDir = path.join(faultsDir, 'bad-input');
const PARTS: Part[] = ['manifests', 'cli', 'signals', 'providers'];

/** Tallies one part's cases as they run; `write()` in afterAll. */
export class Tally {
  private readonly results = new Map<string, boolean>();

  constructor(private readonly part: Part) {}

  /** Runs `check` (a case's assertions) and records whether it held, then rethrows its failure. */
  async check<T>(name: string, check: () => Promise<T> | T): Promise<T> {
    this.results.set(name, false);
    const value = await check();
    this.results.set(name, true);
    return value;
  }

  get tried(): number {
    return this.results.size;
  }

  write(): PartCounts {
    const failures = [...this.results].filter(([, ok]) => !ok).map(([name]) => name);
    const counts: PartCounts = {
      part: this.part,
      tried: this.results.size,
      handled: this.results.size - failures.length,
      failures,
    };
    writeJson(path.join(partsDir, `${this.part}.json`), counts);
    writeTotals();
    return counts;
  }
}

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  fs.renameSync(temporary, file);
}

function writeTotals(): void {
  const parts = PARTS.map((part) => path.join(partsDir, `${part}.json`))
    .filter((file) => fs.existsSync(file))
    .map((file) => JSON.parse(fs.readFileSync(file, 'utf8')) as PartCounts);
  const tried = parts.reduce((n, p) => n + p.tried, 0);
  const handled = parts.reduce((n, p) => n + p.handled, 0);
  const byPart = Object.fromEntries(parts.map((p) => [p.part, { tried: p.tried, handled: p.handled }]));
  writeJson(path.join(faultsDir, 'bad-input.json'), {
    scenario: 'bad input',
    runs: tried,
    faultsInjected: tried,
    handledCorrectly: handled,
    lost: 0,
    parts: byPart,
  });
  writeJson(path.join(faultsDir, 'scenarios', 'bad-input.json'), {
    scenario: 'bad input',
    runs: tried,
    faultsInjected: tried,
    completedCorrectly: handled,
    lost: 0,
    notes: parts.map((p) => `${p.part}: ${p.handled}/${p.tried} handled`),
  });
  console.log(
    `bad input: ${parts.map((p) => `${p.part} ${p.handled}/${p.tried}`).join(', ')}; total ${handled}/${tried}`,
  );
}
