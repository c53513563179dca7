// Fault scenario 1: the worker SIGKILLed at 20 seeded random moments while seed walkthroughs run, each
// time restarted (`rollouts lab up`) after a seeded random delay. Three walkthroughs run side by side in
// one lab, started some seconds apart so the kills find them in different phases; a fourth, undisturbed,
// runs beside them on a task queue of its own with a worker that is never killed: the baseline. Each
// kill is classified by what Temporal says was going on at that moment (an activity a worker had
// started, a timed pause, an AnalysisRun between two measurements); every class must be hit, and kills
// are aimed at one the seed did not reach. Every disturbed walkthrough must end exactly as the baseline
// (weights, selectors, ReplicaSets, verdicts, phase), its timed pauses must have run once and for their
// whole duration, and no measurement may be counted twice. Pods take 4 s to start, so waiting for them
// is a long heartbeating activity for kills to land in. A dead worker's activity is retried once its
// timeout passes (30 s heartbeat for waits, 1 min for writes), and a workflow it had cached waits out
// the sticky queue's 10 s: the expected cost of a kill. Green is promoted once its analysis has counted
// three failures (one short of its failureLimit): promoted at once, as in the plain walkthrough, its
// steps race the analysis with a margin of seconds, which the kills' delays can eat either way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Lab } from '../support/lab.js';
import { image, Walkthrough, type WalkthroughResult } from '../support/walkthrough.js';
import {
  analysisChecks,
  analysisProblems,
  classify,
  connectTemporal,
  FAULT_CLASSES,
  faultLog,
  greenFailing,
  labOnTaskQueue,
  lookBefore,
  pauseProblems,
  pauseTimers,
  rolloutId,
  pauseShape,
  UNDISTURBED_PAUSES,
  seededRandom,
  sleep,
  startExtraWorker,
  UNDISTURBED_FINAL,
  type FaultClass,
  type Temporal,
} from './support/chaos.js';
import { replayLabHistories, replaySummary } from './support/histories.js';
import { recordScenario } from './support/summary.js';

const SCENARIO = 'worker killed (SIGKILL)';
const KILLS = 20;
const BASELINE_QUEUE = 'rollouts-baseline';
const BASELINE_NS = 'wk-baseline';
const DISTURBED_NS = ['wk-1', 'wk-2', 'wk-3'];
/** Generous: a kill inside a write costs its 1-minute timeout, and several kills can hit one rollout. */
const WAIT_MS = 420_000;

const random = seededRandom(20261127);
const { log, file: logFile } = faultLog('worker-kill');

let lab: Lab;
let t: Temporal;
let baselineWorker: Awaited<ReturnType<typeof startExtraWorker>> | undefined;

beforeAll(async () => {
  lab = await Lab.start('faults-worker-kill', { MESH_POD_START_SECONDS: '4' });
  baselineWorker = await startExtraWorker(lab, BASELINE_QUEUE);
  t = await connectTemporal(lab);
}, 240_000);

afterAll(async () => {
  await t?.close();
  await baselineWorker?.stop();
  await lab?.down();
}, 120_000);

interface Kill {
  at: number;
  pid: number;
  classes: FaultClass[];
  details: string[];
  aimedAt?: FaultClass;
  downMs: number;
}

type Outcome = { namespace: string; result?: WalkthroughResult; error?: string };

function settle(namespace: string, run: Promise<WalkthroughResult>): Promise<Outcome> {
  return run.then(
    (result) => {
      log(`${namespace}: walkthrough done in ${result.seconds.toFixed(0)} s`);
      return { namespace, result };
    },
    (err: unknown) => {
      const error = err instanceof Error ? err.message : String(err);
      log(`${namespace}: walkthrough FAILED: ${error}`);
      return { namespace, error };
    },
  );
}

/**
 * Kills the lab's worker until KILLS were made or no disturbed walkthrough runs: after a random time
 * of work, a look at the rollouts, the kill, what it hit, a random delay, `lab up`. When the kills left
 * are as few as the classes not hit yet, it waits for a moment of such a class before killing.
 */
async function killLoop(running: () => string[]): Promise<Kill[]> {
  const kills: Kill[] = [];
  const covered = new Set<FaultClass>();
  let since = Date.now();
  while (kills.length < KILLS && running().length > 0) {
    const work = random.between(1000, 7000);
    const delay = random.between(500, 8000);
    const uncovered = FAULT_CLASSES.filter((c) => !covered.has(c));
    const aimedAt = KILLS - kills.length <= uncovered.length ? uncovered[0] : undefined;
    await sleep(work);
    let before = await lookBefore(t, running());
    if (aimedAt) {
      const deadline = Date.now() + 120_000;
      while (!(await classify(t, before, since)).classes.includes(aimedAt) && Date.now() < deadline) {
        await sleep(100);
        before = await lookBefore(t, running());
      }
    }
    const pid = lab.kill('worker');
    const at = Date.now();
    const { classes, details } = await classify(t, before, since);
    classes.forEach((c) => covered.add(c));
    log(
      `kill ${kills.length + 1}: worker pid ${pid}${aimedAt ? ` (aimed at: ${aimedAt})` : ''}: ${
        classes.join(', ') || 'no class'
      }; ${details.join('; ')}; restart in ${(delay / 1000).toFixed(1)} s`,
    );
    await sleep(delay);
    await lab.up();
    kills.push({ at, pid, classes, details, ...(aimedAt ? { aimedAt } : {}), downMs: Date.now() - at });
    since = at;
  }
  return kills;
}

describe(SCENARIO, () => {
  it(`ends every rollout as the undisturbed one, through ${KILLS} kills of the worker`, async () => {
    const began = Date.now();
    console.log(`worker-kill: FAULT_SEED=${random.seed}; log in ${logFile}`);
    log(`seed ${random.seed}`);
    // The error rate is per image, so green fails its analysis in every namespace.
    await lab.mustRollouts('lab', 'errors', image('green'), '0.65');
    const baseline = new Walkthrough(labOnTaskQueue(lab, BASELINE_QUEUE), {
      namespace: BASELINE_NS,
      waitMs: WAIT_MS,
      log,
    });
    const disturbed = DISTURBED_NS.map(
      (namespace) => new Walkthrough(lab, { namespace, waitMs: WAIT_MS, log }),
    );
    for (const w of [baseline, ...disturbed]) await w.prepare();

    const active = new Set<string>();
    const hooks = (namespace: string) => ({ beforeGreenPromote: () => greenFailing(t, namespace, WAIT_MS) });
    const outcomes: Promise<Outcome>[] = [settle(BASELINE_NS, baseline.run(hooks(BASELINE_NS)))];
    const started = (async () => {
      for (const [i, w] of disturbed.entries()) {
        if (i > 0) await sleep(random.between(8000, 20000));
        active.add(w.namespace);
        log(`${w.namespace}: walkthrough starts`);
        outcomes.push(
          settle(w.namespace, w.run(hooks(w.namespace))).finally(() => active.delete(w.namespace)),
        );
      }
    })();
    await sleep(1000);
    const kills = await killLoop(() => [...active]);
    await started;
    const [base, ...results] = await Promise.all(outcomes);
    log(`all walkthroughs done after ${((Date.now() - began) / 1000).toFixed(0)} s`);

    // Everything checked, then recorded (honest numbers also on failure), then asserted.
    const problems = new Map<string, string[]>(DISTURBED_NS.map((ns) => [ns, []]));
    // Revisions their analysis aborted: an abort may cut their pauses at any step.
    const final = base?.result?.final ?? UNDISTURBED_FINAL;
    const aborted = final.verdicts
      .filter((v) => v.phase === 'Failed')
      .map((v) => final.replicaSets.find((rs) => rs.revision === v.revision)?.image ?? '');
    const undisturbedPauses = pauseShape(await pauseTimers(t.client, rolloutId(BASELINE_NS)), aborted);
    for (const outcome of results) {
      const found = problems.get(outcome.namespace) as string[];
      if (!outcome.result) {
        found.push(`did not complete: ${outcome.error}`);
        continue;
      }
      const r = outcome.result;
      if (base?.result && JSON.stringify(r.final) !== JSON.stringify(base.result.final))
        found.push(
          `final state ${JSON.stringify(r.final)}, undisturbed ${JSON.stringify(base.result.final)}`,
        );
      for (const pause of r.pauses)
        if (pause.untils.length !== 1)
          found.push(
            `timed pause of revision ${pause.revision} step ${pause.step} restarted: ${pause.untils.join(', ')}`,
          );
      found.push(...r.duplicateMeasurements.map((d) => `measured twice: ${d}`));
      found.push(...(await pauseProblems(t.client, outcome.namespace, undisturbedPauses, aborted)));
      found.push(...analysisProblems(await analysisChecks(t.client, outcome.namespace)));
    }
    const replay = await replayLabHistories(lab, 'worker-kill');
    const correct = results.filter((o) => (problems.get(o.namespace) ?? []).length === 0).length;
    const coverage = FAULT_CLASSES.map((c) => `${c}: ${kills.filter((k) => k.classes.includes(c)).length}`);
    const seconds = results.map((o) => `${o.namespace} ${o.result ? o.result.seconds.toFixed(0) : '-'} s`);
    for (const [ns, found] of problems) for (const p of found) log(`PROBLEM ${ns}: ${p}`);
    log(
      `coverage: ${coverage.join(', ')}; replay: ${replay.histories} histories, ${replay.failures.length} failures`,
    );
    recordScenario({
      scenario: SCENARIO,
      runs: results.length,
      faultsInjected: kills.length,
      completedCorrectly: correct,
      lost: results.length - correct,
      notes: [
        `FAULT_SEED=${random.seed}; kills hit: ${coverage.join(', ')}; aimed: ${kills.filter((k) => k.aimedAt).length}`,
        `walkthroughs ${seconds.join(', ')}; undisturbed ${base?.result?.seconds.toFixed(0) ?? '-'} s; worker down ${(
          kills.reduce((n, k) => n + k.downMs, 0) / 1000
        ).toFixed(0)} s in all; scenario ${((Date.now() - began) / 1000).toFixed(0)} s`,
        replaySummary(replay),
        // What went wrong, so that a CI log shows it without the scenario's own log.
        ...[...problems].flatMap(([ns, found]) => found.slice(0, 3).map((p) => `${ns}: ${p.slice(0, 500)}`)),
      ],
    });

    expect(base?.error).toBeUndefined();
    expect(base?.result?.final).toEqual(UNDISTURBED_FINAL);
    expect(undisturbedPauses).toEqual(UNDISTURBED_PAUSES);
    expect(kills).toHaveLength(KILLS);
    for (const c of FAULT_CLASSES)
      expect({ [c]: kills.some((k) => k.classes.includes(c)) }).toEqual({ [c]: true });
    expect(Object.fromEntries(problems)).toEqual(Object.fromEntries(DISTURBED_NS.map((ns) => [ns, []])));
    expect(replay.failures).toEqual([]);
  }, 1_200_000);
});
