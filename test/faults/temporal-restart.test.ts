// Fault scenario 2: the Temporal dev server stopped in the middle of the seed walkthrough and started
// again (`rollouts lab up`, same SQLite file) a few seconds later: SIGKILLed and, in other cases,
// SIGTERMed, during timed pauses and while the background analysis measures (yellow's, green's failing
// one, purple's). The rollout must go on and end as an undisturbed one, its timed pauses run once to
// their end, no measurement counted twice; the lab's worker must outlive every outage (same process,
// reconnecting by itself), and `rollouts get` while the server is gone must say so in one line.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Lab } from '../support/lab.js';
import { image, Walkthrough, type Stop, type WalkthroughResult } from '../support/walkthrough.js';
import {
  ABORTED_IMAGES,
  analysisChecks,
  analysisProblems,
  connectTemporal,
  faultLog,
  greenFailing,
  pauseProblems,
  rolloutId,
  sleep,
  UNDISTURBED_FINAL,
  UNDISTURBED_PAUSES,
  type Temporal,
} from './support/chaos.js';
import { replayLabHistories, replaySummary } from './support/histories.js';
import { recordScenario } from './support/summary.js';

const SCENARIO = 'Temporal server restarted';
const NAMESPACE = 'tr-1';
const WAIT_MS = 300_000;
/** How long the server stays down (the `rollouts get` made meanwhile takes its 5 s connect timeout). */
const DOWN_MS = 6000;

/** Where each outage happens: at which stop of the walkthrough, and how the server is stopped. */
const PLAN: { stage: string; signal: 'SIGKILL' | 'SIGTERM'; during: string }[] = [
  { stage: '2. yellow at 20 %, paused', signal: 'SIGKILL', during: 'background analysis (yellow)' },
  { stage: '3. yellow at 40 %, timed pause', signal: 'SIGKILL', during: 'a timed pause' },
  { stage: '3. yellow at 80 %, timed pause', signal: 'SIGTERM', during: 'a timed pause' },
  { stage: '4. green at 20 %, paused', signal: 'SIGKILL', during: "background analysis (green's, failing)" },
  { stage: '5. purple at 20 %, paused', signal: 'SIGTERM', during: 'background analysis (purple)' },
];

const { log, file: logFile } = faultLog('temporal-restart');

let lab: Lab;
let t: Temporal;

beforeAll(async () => {
  lab = await Lab.start('faults-temporal-restart');
  t = await connectTemporal(lab);
}, 240_000);

afterAll(async () => {
  await t?.close();
  await lab?.down();
}, 120_000);

interface Outage {
  stage: string;
  signal: string;
  during: string;
  downMs: number;
  /** What `rollouts get` said while the server was down. */
  get: { code: number | null; out: string; err: string };
  workerSurvived: boolean;
  sameDb: boolean;
  sameRun: boolean;
}

function commandLine(pid: number | undefined): string[] {
  if (pid === undefined) return [];
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

async function waitGone(component: 'temporal', ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (lab.pid(component) !== undefined) {
    if (Date.now() > deadline) throw new Error(`${component} still runs ${ms / 1000} s after the signal`);
    await sleep(100);
  }
}

/** Stops the server, asks `rollouts get` meanwhile, starts it again, and checks who survived what. */
async function outage(plan: (typeof PLAN)[number]): Promise<Outage> {
  const runBefore = (await t.client.workflow.getHandle(rolloutId(NAMESPACE)).describe()).runId;
  const worker = lab.pid('worker');
  const db = lab.paths.temporalDb;
  const dbBefore = fs.statSync(db).size;
  const began = Date.now();
  const pid = lab.kill('temporal', plan.signal);
  await waitGone('temporal', 60_000);
  log(`${plan.stage}: Temporal (pid ${pid}) stopped by ${plan.signal}; database ${dbBefore} bytes`);
  const get = await lab.rollouts('get', 'myapp', '-n', NAMESPACE);
  log(`  rollouts get while down: exit ${String(get.code)}: ${JSON.stringify(get.err || get.out)}`);
  await sleep(Math.max(0, DOWN_MS - (Date.now() - began)));
  const workerAlive = lab.pid('worker') === worker;
  await lab.up();
  const downMs = Date.now() - began;
  const args = commandLine(lab.pid('temporal'));
  const sameDb = args[args.indexOf('--db-filename') + 1] === db;
  const runAfter = (await t.client.workflow.getHandle(rolloutId(NAMESPACE)).describe()).runId;
  const result: Outage = {
    ...plan,
    downMs,
    get,
    workerSurvived: workerAlive && lab.pid('worker') === worker,
    sameDb,
    sameRun: runAfter === runBefore,
  };
  log(
    `  Temporal back after ${(downMs / 1000).toFixed(1)} s (pid ${String(lab.pid('temporal'))}, ${
      sameDb ? 'same' : 'ANOTHER'
    } database); worker pid ${String(worker)} ${result.workerSurvived ? 'survived' : 'DID NOT survive'}; rollout run ${
      result.sameRun ? 'unchanged' : 'CHANGED'
    }`,
  );
  return result;
}

describe(SCENARIO, () => {
  it('goes on and ends as an undisturbed rollout through server restarts (SIGKILL, SIGTERM)', async () => {
    const began = Date.now();
    console.log(`temporal-restart: log in ${logFile}`);
    await lab.mustRollouts('lab', 'errors', image('green'), '0.65');
    const walkthrough = new Walkthrough(lab, { namespace: NAMESPACE, waitMs: WAIT_MS, log });
    await walkthrough.prepare();
    const outages: Outage[] = [];
    let result: WalkthroughResult | undefined;
    let error: string | undefined;
    try {
      result = await walkthrough.run({
        beforeGreenPromote: () => greenFailing(t, NAMESPACE, WAIT_MS),
        afterStop: async (stop: Stop) => {
          const plan = PLAN.find((p) => p.stage === stop.stage);
          if (plan) outages.push(await outage(plan));
        },
      });
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      log(`walkthrough FAILED: ${error}`);
    }

    const problems: string[] = [];
    if (!result) problems.push(`did not complete: ${error}`);
    else {
      if (JSON.stringify(result.final) !== JSON.stringify(UNDISTURBED_FINAL))
        problems.push(`final state ${JSON.stringify(result.final)}`);
      for (const pause of result.pauses)
        if (pause.untils.length !== 1)
          problems.push(
            `timed pause of revision ${pause.revision} step ${pause.step} restarted: ${pause.untils.join(', ')}`,
          );
      problems.push(...result.duplicateMeasurements.map((d) => `measured twice: ${d}`));
      problems.push(...(await pauseProblems(t.client, NAMESPACE, UNDISTURBED_PAUSES, ABORTED_IMAGES)));
      problems.push(...analysisProblems(await analysisChecks(t.client, NAMESPACE)));
    }
    for (const o of outages) {
      if (!o.workerSurvived) problems.push(`${o.stage}: the worker did not survive the server's ${o.signal}`);
      if (!o.sameDb) problems.push(`${o.stage}: Temporal came back on another database`);
      if (!o.sameRun) problems.push(`${o.stage}: the rollout's run changed across the restart`);
      const lines = `${o.get.out}\n${o.get.err}`.trim().split('\n');
      if (o.get.code !== 1 || lines.length !== 1 || !/cannot reach Temporal/.test(lines[0] ?? ''))
        problems.push(
          `${o.stage}: rollouts get while down: exit ${String(o.get.code)}, ${JSON.stringify(lines)}`,
        );
    }
    const replay = await replayLabHistories(lab, 'temporal-restart');
    for (const p of problems) log(`PROBLEM ${p}`);
    const correct = result && problems.length === 0 ? 1 : 0;
    recordScenario({
      scenario: SCENARIO,
      runs: 1,
      faultsInjected: outages.length,
      completedCorrectly: correct,
      lost: 1 - correct,
      notes: [
        `outages: ${outages.map((o) => `${o.signal} during ${o.during} (${(o.downMs / 1000).toFixed(0)} s)`).join('; ')}`,
        `walkthrough ${result ? result.seconds.toFixed(0) : '-'} s; scenario ${((Date.now() - began) / 1000).toFixed(0)} s`,
        replaySummary(replay),
        ...problems.slice(0, 5).map((p) => p.slice(0, 500)),
      ],
    });

    expect(error).toBeUndefined();
    expect(outages.map((o) => o.stage)).toEqual(PLAN.map((p) => p.stage));
    expect(problems).toEqual([]);
    expect(replay.failures).toEqual([]);
  }, 900_000);
});
