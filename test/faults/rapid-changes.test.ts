// Fault scenario 5, rapid changes: while a canary runs, ten `rollouts set image` within three seconds
// (each a new revision) and, at the same time, promote / promote --full / abort / retry at seeded moments
// (FAULT_SEED), every one its own `rollouts` command with its own connection (run in this process:
// support/command.ts says why; each round's first set image goes through the binary). Then the newest
// revision is driven to the end (promote when paused, retry when aborted).
// The newest revision must win, the status must match the API server, no ReplicaSet of an abandoned
// revision keeps pods, every weight and replica count ever written (kube-apiserver's own audit log) is
// valid, nothing flips back after the end, and every answer of the command is one clear line.
// Four rounds: paused at 20 %, in a timed pause, while the canary's pods start, during an analysis.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RolloutStatus } from '../../core/status.js';
import { Lab } from '../support/lab.js';
import {
  auditEnv,
  auditLogPath,
  badReplicaWrites,
  badWeightWrites,
  describeWrite,
  readAudit,
  replicaSetWrites,
  serviceWrites,
  storedWeights,
  virtualServiceWrites,
} from './support/audit.js';
import {
  CANARY_SVC,
  canonical,
  clusterState,
  deployApp,
  faultSeed,
  HASH_LABEL,
  image,
  NAME,
  ROUTE,
  runningAnalysisRuns,
  scenarioLog,
  seededRandom,
  settledProblems,
  waitScaleDowns,
  type AppFiles,
  type ClusterState,
} from './support/canary-app.js';
import { RolloutsCommand, type Answer } from './support/command.js';
import { replayLabHistories, replaySummary, type ReplayReport } from './support/histories.js';
import { recordScenario } from './support/summary.js';

const LAB = 'faults-rapid-changes';
const NS = 'rapid';
const BURST = 10;
const seed = faultSeed();
const random = seededRandom(seed);
const { file: logFile, log } = scenarioLog('rapid-changes');

let lab: Lab;
let cmd: RolloutsCommand;
let app: AppFiles;

interface RoundResult {
  name: string;
  faults: number;
  /** Problems of any kind; none means the round completed correctly. */
  problems: string[];
  /** The end state was wrong (the newest did not win, or the cluster disagrees): a lost rollout. */
  lost: boolean;
  seconds: number;
}

const rounds: RoundResult[] = [];
const answers: Answer[] = [];
let replay: ReplayReport | undefined;

/** `rollouts ARGS -n rapid`, in this process (support/command.ts says why), logged. */
async function cli(...args: string[]): Promise<Answer> {
  const answer = await cmd.run([...args, '-n', NS]);
  answers.push(answer);
  log(`rollouts ${args.join(' ')} → ${answer.code}: ${answer.text}`);
  return answer;
}

/** The same through the `rollouts` binary, in a process of its own. */
async function binary(...args: string[]): Promise<Answer> {
  const result = await lab.rollouts(...args, '-n', NS);
  const answer = { args, code: result.code ?? -1, text: [result.out, result.err].filter(Boolean).join('\n') };
  answers.push(answer);
  log(`rollouts (process) ${args.join(' ')} → ${answer.code}: ${answer.text}`);
  return answer;
}

/** An answer a person can act on: exit 0 or 1, one line, and not an unexpected failure ("error: …"). */
function unclear(answer: Answer): string | undefined {
  const lines = answer.text.split('\n').filter((l) => l.trim() !== '');
  if (answer.crashed) return 'a crash';
  if (answer.code !== 0 && answer.code !== 1) return `exit ${answer.code}`;
  if (lines.length !== 1) return `${lines.length} lines`;
  if (/^error:|\bat .*\.js:\d+/.test(answer.text)) return 'an unexpected failure';
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const desiredImage = (s: RolloutStatus) => (s.canaryRevision ?? s.stableRevision)?.images[NAME];

function waitFor(what: string, done: (s: RolloutStatus) => boolean, timeoutMs = 120_000) {
  log(`waiting until ${what}`);
  return cmd.waitFor(NAME, NS, what, done, timeoutMs);
}

const pausedAtFirstStep = (tag: string) => (s: RolloutStatus) =>
  s.phase === 'Paused' && s.currentStepIndex === 1 && s.canaryRevision?.images[NAME] === image(tag);

/** Each round's starting point: a canary of `<round>-base` in the state the round is about. */
const SETUPS: { name: string; setup: (base: string) => Promise<void> }[] = [
  {
    name: 'paused at 20 %',
    setup: async (base) => {
      await binary('set', 'image', NAME, `${NAME}=${image(base)}`);
      await waitFor(`${base} is paused at 20 %`, pausedAtFirstStep(base));
    },
  },
  {
    name: 'in a timed pause',
    setup: async (base) => {
      await binary('set', 'image', NAME, `${NAME}=${image(base)}`);
      await waitFor(`${base} is paused at 20 %`, pausedAtFirstStep(base));
      await cli('promote', NAME);
      await waitFor(
        `${base} is in its timed pause at 40 %`,
        (s) => s.currentStepIndex === 3 && s.pauseConditions.some((p) => p.until !== undefined),
      );
    },
  },
  {
    name: 'while the canary starts',
    setup: async (base) => {
      await binary('set', 'image', NAME, `${NAME}=${image(base)}`);
    },
  },
  {
    name: 'during an analysis',
    setup: async (base) => {
      await binary('set', 'image', NAME, `${NAME}=${image(base)}`);
      await waitFor(
        `${base} is paused at 20 % with its background analysis measured`,
        (s) =>
          pausedAtFirstStep(base)(s) &&
          s.analysisRuns.some(
            (run) =>
              run.kind === 'background' &&
              run.phase === 'Running' &&
              (run.live?.metrics ?? []).some((m) => m.count > 0),
          ),
      );
    },
  },
];

const ACTIONS: string[][] = [
  ['promote', NAME],
  ['promote', NAME, '--full'],
  ['abort', NAME],
  ['retry', NAME],
];

/** Ten set images, each 300-400 ms after the previous, and six actions at seeded moments among them. */
async function burst(round: number): Promise<{ tags: string[]; answers: Answer[]; actions: number }> {
  const tags = Array.from({ length: BURST }, (_, i) => `r${round}-${i}`);
  const sends: { at: number; args: string[] }[] = tags.map((tag, i) => ({
    at: i * 300 + Math.floor(random() * 100),
    args: ['set', 'image', NAME, `${NAME}=${image(tag)}`],
  }));
  // Every kind of action at least once, then two more at random.
  const actions = [
    ...ACTIONS,
    ...[0, 1].map(() => ACTIONS[Math.floor(random() * ACTIONS.length)] as string[]),
  ];
  for (const args of actions) sends.push({ at: Math.floor(random() * BURST * 350), args });
  log(`burst ${round}: ${sends.map((s) => `+${s.at}ms ${s.args.join(' ')}`).join('; ')}`);
  const began = Date.now();
  const results = await Promise.all(
    sends.map(async ({ at, args }) => {
      await sleep(Math.max(0, began + at - Date.now()));
      return cli(...args);
    }),
  );
  log(
    `burst ${round}: all ${sends.length} answered ${((Date.now() - began) / 1000).toFixed(1)} s after the first was sent`,
  );
  return { tags, answers: results, actions: actions.length };
}

/** Drives the newest revision to Healthy: promote when paused, retry when aborted. */
async function settle(newest: string, timeoutMs = 240_000): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await cmd.status(NAME, NS);
    if (s.phase === 'Healthy' && !s.canaryRevision && s.stableRevision?.images[NAME] === newest) return s;
    if (Date.now() > deadline)
      throw new Error(
        `gave up settling on ${newest} after ${timeoutMs / 1000}s: ${s.phase} "${s.message}" step ${String(s.currentStepIndex)} desired ${String(desiredImage(s))}`,
      );
    if (s.aborted) await cli('retry', NAME);
    else if (s.phase === 'Paused') await cli('promote', NAME);
    await sleep(1000);
  }
}

/** Writes after the end that change what the end state says: a weight, a selector, replicas of a non-stable RS. */
function flipsAfter(endAt: number, end: ClusterState): string[] {
  const writes = readAudit(auditLogPath(LAB)).filter((w) => w.namespace === NS && w.at > endAt);
  const stableHash = end.stableSelector;
  const flips: string[] = [];
  for (const w of virtualServiceWrites(writes)) {
    const weights = storedWeights(w, ROUTE);
    if (weights && canonical(weights) !== canonical(end.weights)) flips.push(describeWrite(w));
  }
  for (const w of serviceWrites(writes)) {
    const hash = w.storedSelector?.[HASH_LABEL];
    if (hash !== undefined && hash !== stableHash) flips.push(describeWrite(w));
  }
  for (const w of replicaSetWrites(writes)) {
    const stable = w.name === `${NAME}-${stableHash ?? ''}`;
    if (
      (w.replicas !== undefined && (stable ? w.replicas !== 1 : w.replicas > 0)) ||
      (w.verb === 'delete' && stable)
    )
      flips.push(describeWrite(w));
  }
  return flips;
}

async function runRound(round: number): Promise<RoundResult> {
  const { name, setup } = SETUPS[round - 1] as (typeof SETUPS)[number];
  const began = Date.now();
  const result: RoundResult = { name, faults: 0, problems: [], lost: false, seconds: 0 };
  try {
    log(`---- round ${round}: ${name}`);
    await setup(`r${round}-base`);
    const { tags, answers: sent, actions } = await burst(round);
    result.faults = tags.length + actions;

    for (const answer of sent) {
      const why = unclear(answer);
      if (why) result.problems.push(`rollouts ${answer.args.join(' ')}: ${why}: ${answer.text}`);
    }
    // The newest revision is the one with the highest number among the set images' answers.
    const accepted = sent
      .filter((a) => a.args[0] === 'set')
      .map((a) => ({
        image: a.args[3]?.split('=')[1] ?? '',
        match: /revision (\d+) \(\w+\) accepted/.exec(a.text),
      }));
    for (const a of accepted.filter((x) => !x.match))
      result.problems.push(`set image ${a.image} was not accepted as a new revision`);
    const numbered = accepted
      .filter((a) => a.match)
      .map((a) => ({ image: a.image, revision: Number(a.match?.[1]) }))
      .sort((a, b) => a.revision - b.revision);
    if (new Set(numbered.map((a) => a.revision)).size !== numbered.length)
      result.problems.push(`two set images got one revision number: ${JSON.stringify(numbered)}`);
    const newest = numbered.at(-1);
    if (!newest) throw new Error('no set image was accepted');
    log(`newest revision: ${newest.revision} (${newest.image})`);

    const after = await cmd.status(NAME, NS);
    if (desiredImage(after) !== newest.image || after.revision !== newest.revision)
      result.problems.push(
        `right after the burst the rollout wants ${String(desiredImage(after))} (revision ${after.revision}), not the newest ${newest.image} (revision ${newest.revision})`,
      );

    await settle(newest.image);
    const status = await waitScaleDowns(lab, cmd, NS);
    const end = await clusterState(lab, NS);
    const endAt = Date.now();
    log(`settled: ${JSON.stringify(end)}`);
    const wrong = settledProblems(status, end, {
      image: newest.image,
      revision: newest.revision,
      revisionHistoryLimit: app.revisionHistoryLimit,
    });
    const analyses = await runningAnalysisRuns(lab);
    if (analyses.length) wrong.push(`AnalysisRuns still running: ${analyses.join(', ')}`);
    // Whatever the rollout still does (a late scale-down, a prune) must not undo the end.
    await sleep(4000);
    const later = await clusterState(lab, NS);
    if (canonical(later) !== canonical(end))
      wrong.push(`the cluster changed after the end: ${JSON.stringify(later)}`);
    for (const flip of flipsAfter(endAt, end)) wrong.push(`write after the end: ${flip}`);
    result.problems.push(...wrong);
    result.lost = wrong.length > 0;
  } catch (err) {
    result.problems.push(err instanceof Error ? err.message : String(err));
    result.lost = true;
  }
  result.seconds = (Date.now() - began) / 1000;
  log(
    `round ${round} (${name}): ${result.seconds.toFixed(0)} s, problems: ${JSON.stringify(result.problems)}`,
  );
  rounds.push(result);
  return result;
}

beforeAll(async () => {
  console.log(`rapid changes: FAULT_SEED=${seed} (log ${logFile})`);
  lab = await Lab.start(LAB, { ...auditEnv(LAB), MESH_POD_START_SECONDS: '1' });
  cmd = new RolloutsCommand(lab);
  app = await deployApp(lab, cmd, {
    namespace: NS,
    pauseSeconds: 5,
    scaleDownDelaySeconds: 5,
    abortScaleDownDelaySeconds: 5,
    analysisInitialDelay: '2s',
    analysisInterval: '2s',
  });
}, 240_000);

afterAll(async () => {
  const completed = rounds.filter((r) => r.problems.length === 0).length;
  recordScenario({
    scenario: 'rapid changes',
    runs: rounds.length,
    faultsInjected: rounds.reduce((n, r) => n + r.faults, 0),
    completedCorrectly: replay && replay.failures.length === 0 ? completed : 0,
    lost: rounds.filter((r) => r.lost).length,
    notes: [
      `FAULT_SEED=${seed}; rounds: ${rounds.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')}`,
      ...rounds.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`)),
      replaySummary(replay),
    ],
  });
  await cmd?.close();
  await lab?.down();
}, 120_000);

describe('rapid changes: ten set images and concurrent actions while a canary runs', () => {
  for (const [i, { name }] of SETUPS.entries())
    it(`round ${i + 1}, ${name}: the newest revision wins and the cluster agrees`, async () => {
      const result = await runRound(i + 1);
      expect(result.problems).toEqual([]);
    }, 400_000);

  it('never wrote a weight outside 0-100, weights not summing to 100, or negative replicas', () => {
    const writes = readAudit(auditLogPath(LAB)).filter((w) => w.namespace === NS);
    const vs = virtualServiceWrites(writes);
    const rs = replicaSetWrites(writes);
    log(
      `audit: ${vs.length} VirtualService writes, ${rs.length} ReplicaSet writes, ${serviceWrites(writes).length} Service writes`,
    );
    for (const w of writes) log(`audit ${describeWrite(w)}`);
    expect(vs.length).toBeGreaterThan(rounds.length * 2);
    expect(badWeightWrites(vs)).toEqual([]);
    expect(badReplicaWrites(rs)).toEqual([]);
    // The canary's weight is only ever one of the steps' (or 0): nothing in between was written.
    const canaryWeights = new Set(vs.map((w) => storedWeights(w, ROUTE)?.[CANARY_SVC]));
    expect([...canaryWeights].filter((w) => ![0, 20, 40, 60, 80, undefined].includes(w))).toEqual([]);
  });

  it('every answer of the command was one clear line', () => {
    const bad = answers.map((a) => [a, unclear(a)] as const).filter(([, why]) => why !== undefined);
    expect(bad.map(([a, why]) => `rollouts ${a.args.join(' ')}: ${String(why)}: ${a.text}`)).toEqual([]);
  });

  it('replays every history of the lab against the current code', async () => {
    replay = await replayLabHistories(lab, 'rapid-changes');
    log(`replay: ${JSON.stringify(replay)}`);
    expect(replay.histories).toBeGreaterThan(0);
    expect(replay.failures).toEqual([]);
  }, 300_000);
});
