// Scenario 4 of the fault suite: Prometheus down during analysis. The seed's AnalysisTemplate measures
// every 5 s and gives no consecutiveErrorLimit, so Argo's default 4 applies: a fifth Error in a row ends
// the run in Error.
//   A. Under the limit: while yellow's background analysis runs (paused at 20 %), Prometheus is killed
//      until two measurements have come back Error, then `lab up` restarts it (same port, same data).
//      The errors are in the AnalysisRun, saying Prometheus could not be reached, the next measurement
//      succeeds, and the walkthrough goes on and ends exactly as an undisturbed one.
//   B. Past the limit: a new revision (orange) paused at 20 %, Prometheus killed and left down. The run
//      ends in Error and the rollout aborts (weight 0, Degraded) with a message that names Prometheus,
//      its address and why it could not be reached, in `rollouts get` and in `-o json`. With Prometheus
//      back, `retry` runs the revision again, its new run measures successfully, and it completes.
// Every history of the lab is then replayed (scenario 8).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AnalysisRunStatus, MetricResult } from '../../core/analysis/types.js';
import type { AnalysisRunRef, RolloutStatus } from '../../core/status.js';
import { Lab } from '../support/lab.js';
import { testOutput } from '../support/paths.js';
import { image, Walkthrough, type WalkthroughResult } from '../support/walkthrough.js';
import { replayLabHistories, replaySummary, type ReplayReport } from './support/histories.js';
import { recordScenario } from './support/summary.js';
import { differencesFromUndisturbed, revisionsEnded } from './support/walkthrough-end.js';

const SCENARIO = 'Prometheus down during analysis';
const NAMESPACE = 'prometheus-down';
const NAME = 'myapp';

const logFile = path.join(testOutput, 'faults', 'prometheus-down.log');
const began = Date.now();
const log = (line: string) =>
  fs.appendFileSync(
    logFile,
    `${new Date().toISOString().slice(11, 23)} +${((Date.now() - began) / 1000).toFixed(1)}s ${line}\n`,
  );

let lab: Lab;
let walkthrough: Walkthrough | undefined;
let result: WalkthroughResult | undefined;
/** Why the walkthrough did not finish, for the summary (a CI log shows no scenario log). */
let walkthroughError: string | undefined;
let replay: ReplayReport | undefined;
let prometheusUrl = '';
const outages: { caseName: string; seconds: number }[] = [];
const notes: string[] = [];

/** Case A: the yellow run right after Prometheus came back, and its `rollouts get` tree. */
let caseA: { run?: AnalysisRunStatus; tree?: string } = {};
/** Case B: the aborted status and tree, then the end after retry and promote. */
const caseB: { aborted?: RolloutStatus; tree?: string; retried?: RolloutStatus; completed?: boolean } = {};

beforeAll(async () => {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(logFile, { force: true });
  lab = await Lab.start('prometheus-down');
  prometheusUrl = lab.url('PROMETHEUS_URL');
  log(`lab up: Prometheus at ${prometheusUrl} (pid ${lab.pid('prometheus')})`);
}, 240_000);

afterAll(async () => {
  const problems = result
    ? differencesFromUndisturbed(result)
    : [`the walkthrough did not finish: ${walkthroughError ?? 'not started'}`];
  const walked = walkthrough ? revisionsEnded(walkthrough.stops) : 0;
  const caseBCorrect = (caseB.aborted ? 1 : 0) + (caseB.completed ? 1 : 0);
  const correctly = (problems.length === 0 ? walked : Math.min(walked, 3)) + caseBCorrect;
  recordScenario({
    scenario: SCENARIO,
    runs: 6,
    faultsInjected: outages.length,
    completedCorrectly: correctly,
    lost: 6 - correctly,
    notes: [
      ...outages.map((o) => `${o.caseName}: Prometheus down ${o.seconds.toFixed(0)} s`),
      ...notes,
      ...problems,
      replaySummary(replay),
    ],
  });
  await lab?.down();
}, 120_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The live AnalysisRun of a revision (the newest one, after a retry). */
function runOf(s: RolloutStatus, revision: number): AnalysisRunRef | undefined {
  return s.analysisRuns.filter((r) => r.revision === revision && r.kind === 'background').at(-1);
}

function metricOf(s: RolloutStatus, revision: number): MetricResult | undefined {
  return runOf(s, revision)?.live?.metrics[0];
}

function waitFor(what: string, done: (s: RolloutStatus) => boolean, timeoutMs = 120_000) {
  log(`waiting until ${what}`);
  return lab.waitFor(NAME, NAMESPACE, what, done, timeoutMs);
}

/** Kills Prometheus; returns the time it went. */
function killPrometheus(caseName: string): number {
  const pid = lab.kill('prometheus');
  log(`${caseName}: Prometheus (pid ${pid}) killed`);
  return Date.now();
}

/** `lab up` brings Prometheus back on its port, with its data; waits until it scrapes the mesh again. */
async function restartPrometheus(caseName: string, downSince: number): Promise<void> {
  await lab.up();
  const seconds = (Date.now() - downSince) / 1000;
  outages.push({ caseName, seconds });
  log(`${caseName}: Prometheus back (pid ${lab.pid('prometheus')}) after ${seconds.toFixed(1)} s`);
  expect(lab.url('PROMETHEUS_URL')).toBe(prometheusUrl);
  for (let i = 0; ; i++) {
    const answer = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent('up{job="mesh"}')}`)
      .then((r) => r.json() as Promise<{ data?: { result?: { value: [number, string] }[] } }>)
      .catch(() => undefined);
    if (answer?.data?.result?.[0]?.value[1] === '1') break;
    if (i > 60) throw new Error(`${caseName}: Prometheus does not scrape the mesh again`);
    await sleep(500);
  }
  // The data from before the kill is still there (the TSDB's write-ahead log replayed): the oldest
  // scrape of the last ten minutes is older than the kill. (A count of scrapes depends on how long the
  // lab has been up.)
  const samples = await fetch(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('up{job="mesh"}[10m]')}`,
  ).then((r) => r.json() as Promise<{ data?: { result?: { values: [number, string][] }[] } }>);
  const values = samples.data?.result?.[0]?.values ?? [];
  const oldest = values[0]?.[0] ?? Infinity;
  log(
    `${caseName}: ${values.length} scrapes of the mesh kept, the oldest ${(downSince / 1000 - oldest).toFixed(0)} s before the kill`,
  );
  expect(oldest).toBeLessThan(downSince / 1000);
}

/**
 * Case A, before yellow is promoted: after the first measurement Prometheus goes until two
 * measurements failed; the hook returns when a measurement has succeeded again.
 */
async function underTheLimit(): Promise<void> {
  const name = 'A. under consecutiveErrorLimit';
  await waitFor('yellow has its first measurement', (s) => (metricOf(s, 2)?.count ?? 0) >= 1);
  const down = killPrometheus(name);
  // Down until two measurements failed (a fixed time can fit one or three: measurements come every
  // 5 s), then back; `lab up` takes seconds, so at most one more fails: under the limit of 4.
  const errored = await waitFor('two Error measurements', (s) => (metricOf(s, 2)?.error ?? 0) >= 2, 60_000);
  log(`${name}: ${JSON.stringify(metricOf(errored, 2)?.measurements.at(-1))}`);
  await restartPrometheus(name, down);
  const recovered = await waitFor(
    'a successful measurement after the errors',
    (s) => (metricOf(s, 2)?.consecutiveSuccess ?? 0) >= 1,
    60_000,
  );
  caseA = { run: runOf(recovered, 2)?.live, tree: await lab.mustRollouts('get', NAME, '-n', NAMESPACE) };
  log(`${name}: rollouts get:\n${caseA.tree}`);
}

describe('Prometheus down during analysis', () => {
  it('A: down for two measurements during yellow’s analysis, the walkthrough goes on as undisturbed', async () => {
    walkthrough = new Walkthrough(lab, { namespace: NAMESPACE, waitMs: 180_000, log });
    await walkthrough.prepare();
    result = await walkthrough
      .run({
        beforeGreenPromote: async () => {
          await lab.mustRollouts('lab', 'errors', image('green'), '0.65');
        },
        afterStop: async (stop) => {
          if (stop.stage === '2. yellow at 20 %, paused') await underTheLimit();
        },
      })
      .catch((err: unknown) => {
        walkthroughError = err instanceof Error ? err.message : String(err);
        throw err;
      });
    log(`walkthrough done in ${result.seconds.toFixed(0)} s`);
    expect(differencesFromUndisturbed(result)).toEqual([]);
  }, 600_000);

  it('A: the run shows the Error measurements, saying Prometheus could not be reached, and ends Successful', () => {
    const metric = caseA.run?.metrics[0];
    const errors = (metric?.measurements ?? []).filter((m) => m.phase === 'Error');
    expect(metric?.error).toBeGreaterThanOrEqual(2);
    expect(metric?.error).toBeLessThanOrEqual(4);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const m of errors)
      expect(m.message).toBe(`Prometheus at ${prometheusUrl} could not be reached: connection refused`);
    expect(caseA.tree).toContain(`Prometheus at ${prometheusUrl} could not be reached: connection refused`);
    const yellow = result?.final.verdicts.find((v) => v.revision === 2);
    expect(yellow?.phase).toBe('Successful');
    notes.push(
      `A: ${metric?.error} Error measurements beside ${metric?.count} counted ones at recovery, yellow's run Successful, walkthrough as undisturbed`,
    );
  });

  it('B: down past the limit, the run ends in Error and the rollout aborts naming Prometheus', async () => {
    const name = 'B. past consecutiveErrorLimit';
    if (!walkthrough) throw new Error('the walkthrough did not run');
    const orange = image('orange');
    await lab.mustRollouts('set', 'image', NAME, `${NAME}=${orange}`, '-n', NAMESPACE);
    let s = await waitFor(
      'orange is paused at 20 %',
      (x) => x.phase === 'Paused' && x.canaryRevision?.images[NAME] === orange && x.currentStepIndex === 1,
    );
    const revision = s.canaryRevision?.revision ?? 0;
    const down = killPrometheus(name);
    s = await waitFor(
      'the analysis aborts orange',
      (x) => x.aborted && x.weights.canary === 0 && runOf(x, revision)?.phase === 'Error',
      120_000,
    );
    caseB.aborted = s;
    caseB.tree = await lab.mustRollouts('get', NAME, '-n', NAMESPACE);
    log(`${name}: aborted after ${((Date.now() - down) / 1000).toFixed(1)} s: ${s.message}`);
    log(`${name}: rollouts get:\n${caseB.tree}`);
    await walkthrough.stop('B. orange aborted by Prometheus errors', s, {
      phase: 'Degraded',
      canaryWeight: 0,
      stableImage: 'purple',
      canaryImage: 'purple',
      verdicts: { [revision]: 'Error' },
    });
    const reason = `Prometheus at ${prometheusUrl} could not be reached: connection refused`;
    expect(s.phase).toBe('Degraded');
    expect(s.message).toContain(reason);
    expect(s.message).toMatch(/consecutiveErrors \(5\) > consecutiveErrorLimit \(4\)/);
    expect(s.conditions.find((c) => c.type === 'Aborted')?.message).toContain(reason);
    expect(runOf(s, revision)?.message).toContain(reason);
    expect(caseB.tree).toContain(reason);
    notes.push(`B: aborted with "${s.message}"`);

    // Prometheus back: retry runs the revision again, with a new AnalysisRun that measures again; once
    // it has, promote --full (the timed pauses have nothing more to show here).
    await restartPrometheus(name, down);
    await lab.mustRollouts('retry', NAME, '-n', NAMESPACE);
    s = await waitFor(
      'orange is paused at 20 % again, its new run measuring',
      (x) =>
        !x.aborted &&
        x.phase === 'Paused' &&
        x.currentStepIndex === 1 &&
        x.canaryRevision?.images[NAME] === orange &&
        runOf(x, revision)?.phase === 'Running' &&
        (metricOf(x, revision)?.successful ?? 0) >= 1,
    );
    await walkthrough.stop('B. orange retried, at 20 %', s, {
      phase: 'Paused',
      canaryWeight: 20,
      stableImage: 'purple',
      canaryImage: 'orange',
    });
    expect(metricOf(s, revision)?.error).toBe(0);
    await lab.mustRollouts('promote', NAME, '--full', '-n', NAMESPACE);
    s = await waitFor(
      'orange is stable',
      (x) => x.phase === 'Healthy' && x.stableRevision?.images[NAME] === orange && !x.canaryRevision,
      180_000,
    );
    await walkthrough.stop('B. orange stable', s, {
      phase: 'Healthy',
      canaryWeight: 0,
      stableImage: 'orange',
      canaryImage: 'orange',
    });
    caseB.retried = s;
    expect(runOf(s, revision)?.phase).toBe('Successful');
    caseB.completed = true;
  }, 600_000);

  it('every history of the lab replays against the current code', async () => {
    replay = await replayLabHistories(lab, 'prometheus-down');
    log(`replayed ${replay.histories} histories (${replay.events} events), saved ${replay.saved}`);
    expect(replay.histories).toBeGreaterThan(0);
    expect(replay.failures).toEqual([]);
  }, 180_000);
});
