// What the worker-kill and Temporal-restart scenarios share: a seeded random source, a timestamped log,
// a second worker on a task queue of its own (so an undisturbed walkthrough runs beside the disturbed
// ones, in the same lab), what a rollout was doing at the moment of a fault (read from Temporal's own
// view: pending activities, timers, AnalysisRuns), and the checks read from the workflow histories:
// timed pauses that fired once and lasted their duration, measurements that match the activities run.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { AnalysisRunStatus } from '../../../core/analysis/types.js';
import type { RolloutStatus } from '../../../core/status.js';
import { RolloutsClient } from '../../../client/rollouts-client.js';
import { type Lab } from '../../support/lab.js';
import { repoRoot, testOutput } from '../../support/paths.js';
import { image, type FinalState } from '../../support/walkthrough.js';

const EventType = temporal.api.enums.v1.EventType;
const STARTED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

// ---- randomness and logging

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(defaultSeed: number): {
  seed: number;
  between: (lo: number, hi: number) => number;
} {
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : defaultSeed;
  if (!Number.isInteger(seed)) throw new Error(`FAULT_SEED=${process.env.FAULT_SEED}: expected an integer`);
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, between: (lo, hi) => lo + (hi - lo) * next() };
}

/** Appends timestamped lines to test-output/faults/<name>.log; returns the writer and the file. */
export function faultLog(name: string): { log: (line: string) => void; file: string } {
  const file = path.join(testOutput, 'faults', `${name}.log`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  const began = Date.now();
  return {
    file,
    log: (line: string) =>
      fs.appendFileSync(
        file,
        `${new Date().toISOString().slice(11, 23)} +${((Date.now() - began) / 1000).toFixed(1)}s ${line}\n`,
      ),
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---- the undisturbed baseline

/** What an undisturbed seed walkthrough (examples/fast) ends with; the worker-kill scenario measures it too. */
export const UNDISTURBED_FINAL: FinalState = {
  phase: 'Healthy',
  stableImage: image('purple'),
  weights: { canary: 0, stable: 100 },
  vsWeights: { 'myapp-stable-svc': 100, 'myapp-canary-svc': 0 },
  stableServiceImage: image('purple'),
  canaryServiceImage: image('purple'),
  replicaSets: [
    { revision: 2, image: image('yellow'), replicas: 0 },
    { revision: 3, image: image('green'), replicas: 0 },
    { revision: 4, image: image('purple'), replicas: 1 },
  ],
  verdicts: [
    { revision: 2, phase: 'Successful' },
    { revision: 3, phase: 'Failed' },
    { revision: 4, phase: 'Successful' },
  ],
};

/** The lab as seen from a second task queue: `rollouts` started with it puts rollouts there. */
export function labOnTaskQueue(lab: Lab, taskQueue: string): Lab {
  const view = Object.create(lab) as Lab;
  view.env = { ...lab.env, TEMPORAL_TASK_QUEUE: taskQueue };
  return view;
}

/** A worker of our own (not the lab's, so never killed) on another task queue of the lab's Temporal. */
export async function startExtraWorker(
  lab: Lab,
  taskQueue: string,
): Promise<{ pid: number; stop: () => Promise<void> }> {
  const log = path.join(lab.paths.logs, `worker-${taskQueue}.log`);
  const fd = fs.openSync(log, 'a');
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot, 'dist', 'worker', 'main.js')], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: lab.paths.kubeconfig,
      TEMPORAL_ADDRESS: lab.url('TEMPORAL_ADDRESS'),
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: taskQueue,
    },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  while (!fs.readFileSync(log, 'utf8').includes('worker: task queue')) {
    if (child.exitCode !== null) throw new Error(`the ${taskQueue} worker exited; see ${log}`);
    if (Date.now() > deadline) throw new Error(`the ${taskQueue} worker did not start in 60 s; see ${log}`);
    await sleep(200);
  }
  const pid = child.pid as number;
  return {
    pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---- Temporal, read directly

export interface Temporal {
  client: Client;
  rollouts: RolloutsClient;
  close: () => Promise<void>;
}

export async function connectTemporal(lab: Lab): Promise<Temporal> {
  const connection = await Connection.connect({ address: lab.url('TEMPORAL_ADDRESS') });
  const client = new Client({ connection, namespace: 'default' });
  return { client, rollouts: new RolloutsClient(client, 'rollouts'), close: () => connection.close() };
}

export const rolloutId = (namespace: string) => `rollout:${namespace}/myapp`;

export interface PendingActivity {
  workflowId: string;
  type: string;
  startedAt: number;
}

/** Activities a worker has started and not finished (in flight, or lost with a dead worker). */
export async function startedActivities(client: Client, workflowId: string): Promise<PendingActivity[]> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') return [];
    return (description.raw.pendingActivities ?? [])
      .filter((a) => a.state === STARTED)
      .map((a) => ({
        workflowId,
        type: a.activityType?.name ?? '?',
        startedAt: timestampMs(a.lastStartedTime),
      }));
  } catch {
    return [];
  }
}

function timestampMs(t: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  if (!t) return 0;
  return Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/**
 * Until green's background analysis has counted three failures, one short of its failureLimit (or has
 * already aborted it): promoted before that, green's steps race its analysis with a margin of seconds,
 * which a fault's delays can eat either way.
 */
export async function greenFailing(t: Temporal, namespace: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const s = await t.rollouts.status(namespace, 'myapp');
      const run = s.analysisRuns.find((r) => r.kind === 'background' && r.revision === s.revision);
      if (s.aborted || (run?.live?.metrics[0]?.failed ?? 0) >= 3) return;
    } catch {
      // no worker or no server for a moment: ask again
    }
    if (Date.now() > deadline) throw new Error(`${namespace}: green's analysis did not count 3 failures`);
    await sleep(500);
  }
}

// ---- what a rollout was doing at a fault

export type FaultClass = 'inside an activity' | 'during a timed pause' | 'between analysis measurements';
export const FAULT_CLASSES: FaultClass[] = [
  'inside an activity',
  'during a timed pause',
  'between analysis measurements',
];

/** One rollout just before a fault: its status (answered by a worker) and the AnalysisRuns measuring. */
export interface Before {
  namespace: string;
  status?: RolloutStatus;
  /** Running AnalysisRuns, and whether each has taken a measurement (so the next one is "between"). */
  runs: { workflowId: string; measured: boolean }[];
  timedPause: boolean;
}

export async function lookBefore(t: Temporal, namespaces: string[]): Promise<Before[]> {
  return Promise.all(
    namespaces.map(async (namespace): Promise<Before> => {
      let status: RolloutStatus | undefined;
      try {
        status = await t.rollouts.status(namespace, 'myapp');
      } catch {
        return { namespace, runs: [], timedPause: false };
      }
      const now = Date.now();
      return {
        namespace,
        status,
        timedPause: status.pauseConditions.some((p) => p.until !== undefined && Date.parse(p.until) > now),
        runs: status.analysisRuns
          .filter((r) => r.phase === 'Running' && r.live?.phase === 'Running')
          .map((r) => ({
            workflowId: r.workflowId,
            measured: r.live?.metrics.some((m) => m.count >= 1) ?? false,
          })),
      };
    }),
  );
}

/**
 * What the fault hit, by Temporal's record after it: an activity a worker had started since `since`
 * (the previous fault) is one the fault interrupted; a timed pause whose `until` was still ahead; an
 * AnalysisRun between two measurements (one taken, none in flight).
 */
export async function classify(
  t: Temporal,
  before: Before[],
  since: number,
): Promise<{ classes: FaultClass[]; details: string[] }> {
  const classes = new Set<FaultClass>();
  const details: string[] = [];
  for (const b of before) {
    if (!b.status) continue;
    const inFlight = (await startedActivities(t.client, rolloutId(b.namespace))).filter(
      (a) => a.startedAt >= since,
    );
    for (const a of inFlight) details.push(`${b.namespace}: in ${a.type}`);
    if (inFlight.length) classes.add('inside an activity');
    if (b.timedPause) {
      classes.add('during a timed pause');
      details.push(`${b.namespace}: timed pause at step ${String(b.status.currentStepIndex)}`);
    }
    for (const run of b.runs) {
      const measuring = (await startedActivities(t.client, run.workflowId)).filter(
        (a) => a.startedAt >= since,
      );
      if (measuring.length) {
        classes.add('inside an activity');
        details.push(`${run.workflowId}: in measure`);
      } else if (run.measured) {
        classes.add('between analysis measurements');
        details.push(`${run.workflowId}: between measurements`);
      }
    }
  }
  return { classes: FAULT_CLASSES.filter((c) => classes.has(c)), details };
}

// ---- checks read from the histories

async function runsOf(client: Client, workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
  const runs: { start: number; runId: string }[] = [];
  for await (const execution of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    runs.push({ start: execution.startTime.getTime(), runId: execution.runId });
  runs.sort((a, b) => a.start - b.start);
  return Promise.all(runs.map((r) => client.workflow.getHandle(workflowId, r.runId).fetchHistory()));
}

function decodePayload(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  if (!payload?.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8'));
  } catch {
    return undefined;
  }
}

export interface PauseTimer {
  /** The image of the revision it paused (the RevisionImage search attribute at the time). */
  image: string;
  summary: string;
  seconds: number;
  /** Fired (not cancelled), and how long after it started. */
  fired: boolean;
  lastedMs: number;
}

/** The timers of a rollout's timed pauses, in every run of its chain, oldest first. */
export async function pauseTimers(client: Client, workflowId: string): Promise<PauseTimer[]> {
  const timers: PauseTimer[] = [];
  let image = '';
  for (const history of await runsOf(client, workflowId)) {
    const started = new Map<string, { image: string; summary: string; seconds: number; at: number }>();
    for (const event of history.events ?? []) {
      const attributes =
        event.workflowExecutionStartedEventAttributes?.searchAttributes ??
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes;
      const revisionImage = decodePayload(attributes?.indexedFields?.RevisionImage);
      if (typeof revisionImage === 'string') image = revisionImage;
      if (event.eventType === EventType.EVENT_TYPE_TIMER_STARTED) {
        const summary = decodePayload(event.userMetadata?.summary);
        const attrs = event.timerStartedEventAttributes;
        if (typeof summary === 'string' && summary.startsWith('pause ') && attrs?.timerId)
          started.set(attrs.timerId, {
            image,
            summary,
            seconds: Number(attrs.startToFireTimeout?.seconds ?? 0),
            at: timestampMs(event.eventTime),
          });
      }
      const ended =
        event.eventType === EventType.EVENT_TYPE_TIMER_FIRED
          ? event.timerFiredEventAttributes?.timerId
          : event.eventType === EventType.EVENT_TYPE_TIMER_CANCELED
            ? event.timerCanceledEventAttributes?.timerId
            : undefined;
      const timer = ended ? started.get(ended) : undefined;
      if (ended && timer) {
        timers.push({
          image: timer.image,
          summary: timer.summary,
          seconds: timer.seconds,
          fired: event.eventType === EventType.EVENT_TYPE_TIMER_FIRED,
          lastedMs: timestampMs(event.eventTime) - timer.at,
        });
        started.delete(ended);
      }
    }
  }
  return timers;
}

/**
 * The timed pauses of the revisions that completed, as "image summary": an aborted revision's pauses
 * are left out, since the abort may cut them at any step.
 */
export function pauseShape(timers: PauseTimer[], aborted: string[]): string[] {
  return timers
    .filter((t) => !aborted.includes(t.image))
    .map((t) => `${t.image} ${t.summary}${t.fired ? '' : ' (cancelled)'}`);
}

/** Yellow's and purple's three 10 s pauses, each run once to its end; green is aborted by its analysis. */
export const UNDISTURBED_PAUSES = ['yellow', 'purple'].flatMap((colour) =>
  [4, 6, 8].map((step) => `${image(colour)} pause 10s (step ${step})`),
);
export const ABORTED_IMAGES = [image('green')];

/** Problems with a rollout's timed pauses: one that fired before its duration, or other pauses than `expected`. */
export async function pauseProblems(
  client: Client,
  namespace: string,
  expected: string[],
  aborted: string[],
): Promise<string[]> {
  const timers = await pauseTimers(client, rolloutId(namespace));
  const problems = timers
    .filter((t) => t.fired && t.lastedMs < t.seconds * 1000)
    .map((t) => `${namespace}: ${t.image} ${t.summary} fired after ${t.lastedMs} ms`);
  const got = pauseShape(timers, aborted);
  if (JSON.stringify(got) !== JSON.stringify(expected))
    problems.push(`${namespace}: timed pauses ${got.join(', ')}; expected ${expected.join(', ')}`);
  return problems;
}

export interface AnalysisCheck {
  workflowId: string;
  measurements: number;
  /** measure activities scheduled over the run's chain: one per measurement, retries included in it. */
  activities: number;
  /** Most measurements its interval allows between its start and its end. */
  plausibleMax: number;
  phase: string;
}

/** Every AnalysisRun of a namespace: counts against activities run and against the time it ran. */
export async function analysisChecks(client: Client, namespace: string): Promise<AnalysisCheck[]> {
  const ids = new Set<string>();
  for await (const execution of client.workflow.list({ query: `WorkflowType = 'analysisRunWorkflow'` }))
    if (execution.workflowId.startsWith(`analysis:${namespace}/`)) ids.add(execution.workflowId);
  const checks: AnalysisCheck[] = [];
  for (const workflowId of [...ids].sort()) {
    const histories = await runsOf(client, workflowId);
    const events = histories.flatMap((h) => h.events ?? []);
    const activities = events.filter(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
        e.activityTaskScheduledEventAttributes?.activityType?.name === 'measure',
    ).length;
    const input = decodePayload(
      histories[0]?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0],
    ) as { spec?: { metrics?: { intervalSeconds?: number; initialDelaySeconds?: number }[] } } | undefined;
    const metric = input?.spec?.metrics?.[0];
    const result = (await client.workflow.getHandle(workflowId).result()) as AnalysisRunStatus;
    const ranMs = Date.parse(result.finishedAt ?? new Date().toISOString()) - Date.parse(result.startedAt);
    const interval = (metric?.intervalSeconds ?? 1) * 1000;
    const delay = (metric?.initialDelaySeconds ?? 0) * 1000;
    checks.push({
      workflowId,
      // Every measurement taken: the counted ones and the Errors (which never count toward `count`).
      measurements: result.metrics.reduce((n, m) => n + m.count + m.error, 0),
      activities,
      plausibleMax: ranMs < delay ? 0 : Math.floor((ranMs - delay) / interval) + 1,
      phase: result.phase,
    });
  }
  return checks;
}

export function analysisProblems(checks: AnalysisCheck[]): string[] {
  return checks.flatMap((c) => [
    ...(c.measurements !== c.activities
      ? [`${c.workflowId}: ${c.measurements} measurements from ${c.activities} measure activities`]
      : []),
    ...(c.measurements > c.plausibleMax
      ? [`${c.workflowId}: ${c.measurements} measurements, at most ${c.plausibleMax} fit in the time it ran`]
      : []),
  ]);
}
