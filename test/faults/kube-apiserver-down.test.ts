// Scenario 3 of the fault suite: kube-apiserver down for 30 s in the middle of a weight change. The
// seed walkthrough runs on a lab of its own, and twice its API server is stopped (etcd and its data
// stay) at a moment picked by what the rollout's workflow is doing:
//   1. yellow's weight write after `promote` (20 → 40 %): the worker is held still (SIGSTOP) the moment
//      the weight step's one activity (shiftTraffic: the canary's pods, the selectors, the weight) is
//      under way, the API server stopped, the worker let go, so that very write meets the outage;
//   2. purple's wait for its canary pods (setWeight 20): the API server goes while the heartbeating wait
//      polls the ReplicaSet, and the mesh simulator cannot mark the pods available either.
// 30 s later it comes back on the same port. The activities must have been retried (attempts > 1, the
// failures naming the connection error), the rollout must neither abort nor skip a step (yellow stops
// at 40 % and purple at 20 % with the VirtualService saying so), the worker and the mesh simulator must
// recover on their own (same processes, the mesh's routing table current again), and the walkthrough
// must end exactly as an undisturbed one. Every history of the lab is then replayed (scenario 8).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Lab } from '../support/lab.js';
import { testOutput } from '../support/paths.js';
import { image, Walkthrough, type WalkthroughResult } from '../support/walkthrough.js';
import { ActivityProbe, type PendingActivity, type RetriedActivity } from './support/activity-probe.js';
import { replayLabHistories, replaySummary, type ReplayReport } from './support/histories.js';
import { recordScenario } from './support/summary.js';
import { differencesFromUndisturbed, revisionsEnded } from './support/walkthrough-end.js';

const SCENARIO = 'kube-apiserver down 30 s';
const NAMESPACE = 'apiserver-down';
const WORKFLOW = `rollout:${NAMESPACE}/myapp`;
const OUTAGE_MS = 30_000;

const logFile = path.join(testOutput, 'faults', 'kube-apiserver-down.log');
const began = Date.now();
const log = (line: string) =>
  fs.appendFileSync(
    logFile,
    `${new Date().toISOString().slice(11, 23)} +${((Date.now() - began) / 1000).toFixed(1)}s ${line}\n`,
  );
/** The network reason at the end of an activity failure ("connect ECONNREFUSED 127.0.0.1:33009"). */
const reason = (failure: string | undefined) =>
  failure === undefined ? 'no failure seen' : (/reason: ([^)]*)\)?$/.exec(failure)?.[1] ?? failure);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outage {
  moment: string;
  /** The activity under way when the API server went. */
  hit: PendingActivity;
  runId: string;
  /** Highest attempt of that activity seen while the API server was away, and its last failure. */
  attempts: number;
  lastFailure?: string;
  /** From the stop until the restarted API server was ready. */
  downSeconds: number;
  /** What the history of that run recorded as retried (filled in at the end). */
  retried: RetriedActivity[];
}

let lab: Lab;
let probe: ActivityProbe;
const outages: Outage[] = [];
const failedInjections: string[] = [];
let result: WalkthroughResult | undefined;
/** Why the walkthrough did not finish, for the summary (a CI log shows no scenario log). */
let walkthroughError: string | undefined;
let walkthrough: Walkthrough | undefined;
let replay: ReplayReport | undefined;
const pids: Record<'worker' | 'mesh', number | undefined> = { worker: undefined, mesh: undefined };

beforeAll(async () => {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(logFile, { force: true });
  // No Rollout objects here: the worker's watch of them would hold kube-apiserver's graceful stop
  // (seen: 33 s instead of under 1), and each outage must begin while its activity is under way.
  lab = await Lab.start('kube-apiserver-down', { ROLLOUTS_WATCH: 'false' });
  probe = await ActivityProbe.connect(lab);
  pids.worker = lab.pid('worker');
  pids.mesh = lab.pid('mesh');
  log(`lab up: worker pid ${pids.worker}, mesh pid ${pids.mesh}`);
}, 240_000);

afterAll(async () => {
  const problems = result
    ? differencesFromUndisturbed(result)
    : [`the walkthrough did not finish: ${walkthroughError ?? 'not started'}`];
  const completed = walkthrough ? revisionsEnded(walkthrough.stops) : 0;
  const correctly =
    problems.length === 0 && failedInjections.length === 0 ? completed : Math.min(completed, 3);
  recordScenario({
    scenario: SCENARIO,
    runs: 4,
    faultsInjected: outages.length,
    completedCorrectly: correctly,
    lost: 4 - correctly,
    notes: [
      ...outages.map(
        (o) =>
          `${o.moment}: ${o.hit.type} failed ${o.attempts - 1} times (${reason(o.lastFailure)}), API server down ${o.downSeconds.toFixed(0)} s`,
      ),
      ...failedInjections,
      ...problems,
      replaySummary(replay),
    ],
  });
  await probe?.close();
  await lab?.down();
}, 120_000);

/**
 * Holds the worker at the moment `matches` an activity of the rollout, stops the API server, lets
 * the worker go, keeps the API server away for OUTAGE_MS while watching that activity's attempts,
 * and starts it again.
 */
async function outage(
  moment: string,
  matches: (a: PendingActivity) => boolean,
  runMs: number,
): Promise<void> {
  log(`${moment}: waiting for the moment`);
  const { runId, activity, looks } = await probe.holdWorkerWhen(WORKFLOW, matches, {
    runMs,
    timeoutMs: 240_000,
  });
  const stopped = Date.now();
  try {
    log(
      `${moment}: ${activity.type} ${activity.state} (attempt ${activity.attempt}) after ${looks} looks: stopping kube-apiserver`,
    );
    await lab.stopApiserver();
  } finally {
    probe.resumeWorker();
  }
  log(`${moment}: kube-apiserver stopped in ${((Date.now() - stopped) / 1000).toFixed(1)} s`);
  const record: Outage = {
    moment,
    hit: activity,
    runId,
    attempts: activity.attempt,
    downSeconds: 0,
    retried: [],
  };
  outages.push(record);
  while (Date.now() - stopped < OUTAGE_MS) {
    await sleep(1000);
    const now = (await probe.pending(WORKFLOW)).activities.find((a) => a.id === activity.id);
    if (!now) continue;
    if (now.attempt > record.attempts)
      log(`${moment}: ${now.type} attempt ${now.attempt}: ${now.lastFailure}`);
    record.attempts = Math.max(record.attempts, now.attempt);
    record.lastFailure = now.lastFailure ?? record.lastFailure;
  }
  await lab.startApiserver();
  record.downSeconds = (Date.now() - stopped) / 1000;
  log(`${moment}: kube-apiserver ready again after ${record.downSeconds.toFixed(1)} s down`);
}

describe('kube-apiserver down for 30 s in the middle of a weight change', () => {
  it('runs the seed walkthrough with the API server stopped during a weight write and a wait for pods', async () => {
    walkthrough = new Walkthrough(lab, { namespace: NAMESPACE, waitMs: 240_000, log });
    await walkthrough.prepare();
    const injections: Promise<void>[] = [];
    const inject = (moment: string, matches: (a: PendingActivity) => boolean, runMs: number) =>
      injections.push(
        outage(moment, matches, runMs).catch((err: unknown) => {
          probe.resumeWorker();
          failedInjections.push(`${moment}: ${(err as Error).message}`);
          log(`${moment}: FAILED ${(err as Error).stack}`);
        }),
      );
    result = await walkthrough
      .run({
        beforeGreenPromote: async () => {
          await lab.mustRollouts('lab', 'errors', image('green'), '0.65');
        },
        afterStop: (stop) => {
          // Right before the walkthrough promotes yellow: the next write is the weight 40. It takes
          // milliseconds, so the worker runs in 2 ms slices between looks until it is under way.
          if (stop.stage === '2. yellow at 20 %, paused')
            inject(
              "yellow's weight write (20 → 40 %)",
              (a) => a.type === 'shiftTraffic' && a.state === 'Started',
              2,
            );
          // Before purple: its first step scales the canary and waits seconds for the pods.
          if (stop.stage === '4. green rolled back by its analysis')
            inject(
              "purple's wait for its canary pods (setWeight 20)",
              (a) => a.type === 'waitForReplicaSetAvailable' && a.state === 'Started',
              100,
            );
          return Promise.resolve();
        },
      })
      .catch((err: unknown) => {
        walkthroughError = err instanceof Error ? err.message : String(err);
        throw err;
      });
    await Promise.all(injections);
    log(`walkthrough done in ${result.seconds.toFixed(0)} s`);
    for (const o of outages) o.retried = await probe.retriedActivities(WORKFLOW, o.runId);
    log(`outages: ${JSON.stringify(outages, null, 2)}`);
    expect(failedInjections).toEqual([]);
    expect(outages).toHaveLength(2);
  }, 900_000);

  it('retried the activity each outage met, with the connection error as its failure', () => {
    for (const o of outages) {
      expect(o.attempts).toBeGreaterThan(1);
      expect(o.lastFailure).toMatch(/ECONNREFUSED|ECONNRESET|connect|socket hang up/i);
      expect(o.retried.map((r) => r.type)).toContain(o.hit.type);
    }
    expect(outages.map((o) => o.hit.type)).toEqual(['shiftTraffic', 'waitForReplicaSetAvailable']);
    // The write that met the first outage is yellow's 40 %, and it was not skipped.
    expect(outages[0]?.retried.find((r) => r.type === 'shiftTraffic')?.summary).toMatch(/^set weight 40%/);
  });

  it('neither aborted nor skipped a step: yellow stopped at 40 % and purple at 20 %', () => {
    const stages = (walkthrough?.stops ?? []).map((s) => `${s.stage}: ${s.phase} ${s.vsCanaryWeight}`);
    expect(stages).toEqual(
      expect.arrayContaining([
        '3. yellow at 40 %, timed pause: Paused 40',
        '5. purple at 20 %, paused: Paused 20',
      ]),
    );
    const yellowAndPurple = (walkthrough?.stops ?? []).filter((s) => !s.stage.startsWith('4.'));
    expect(yellowAndPurple.filter((s) => s.phase === 'Degraded')).toEqual([]);
  });

  it('ends exactly as an undisturbed walkthrough', () => {
    expect(result && differencesFromUndisturbed(result)).toEqual([]);
  });

  it('the worker and the mesh simulator recovered by themselves', async () => {
    expect(lab.pid('worker')).toBe(pids.worker);
    expect(lab.pid('mesh')).toBe(pids.mesh);
    const state = (await (await fetch(`${lab.url('MESH_URL')}/api/state`)).json()) as {
      routing: { refreshedAt?: string; error?: string };
    };
    expect(state.routing.error).toBeUndefined();
    expect(Date.now() - Date.parse(state.routing.refreshedAt ?? '')).toBeLessThan(10_000);
  });

  it('every history of the lab replays against the current code', async () => {
    replay = await replayLabHistories(lab, 'kube-apiserver-down');
    log(`replayed ${replay.histories} histories (${replay.events} events), saved ${replay.saved}`);
    expect(replay.histories).toBeGreaterThan(0);
    expect(replay.failures).toEqual([]);
  }, 180_000);
});
