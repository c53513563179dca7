// Scale (issue 13, item 2): N rollouts at once on the lab's ONE worker, each a canary (without a router,
// so no pods or routes are the cost) in timed pauses with a background web analysis every 10 s against
// the bench's endpoint; then the same N of a bare workflow with the same timers and activities and no
// logic, on a worker of its own. What is measured over the window: the workers' CPU and memory, the
// Temporal server's CPU, measurement lateness (the gap between two measurements of one rollout past
// the interval), measurements per second, and workflow-task schedule-to-start from the histories.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchLab } from './bench-lab.js';
import { FLOOR_TASK_QUEUE } from './bench-lab.js';
import type { bareRolloutWorkflow } from './floor/workflow.js';
import { BENCH_NAMESPACE, IMAGE, rolloutObjects, sharedAnalysisTemplate, toYaml } from './manifests.js';
import { ProcessSampler } from './process-stats.js';
import { summarize, type Summary } from './stats.js';

export const INTERVAL_SECONDS = 10;
const TEMPLATE = 'scale-check';
const CONCURRENCY = 16;

export interface ScaleResult {
  n: number;
  windowSeconds: number;
  applySeconds: number;
  listSeconds: number;
  rollout: LoadFigures;
  bare: LoadFigures;
}

export interface LoadFigures {
  workerCpuPercent: number;
  workerMaxRssMiB: number;
  temporalCpuPercent: number;
  /** Milliseconds a measurement came after it was due (the interval after the one before). */
  lateness: Summary;
  measurementsPerSecond: number;
  /** Workflow-task schedule-to-start, ms, from sampled histories. */
  scheduleToStart: Summary;
}

const rolloutName = (i: number) => `s-${String(i).padStart(4, '0')}`;

async function pool<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

/** Lateness of each measurement after the first in the window, in ms: its gap to the one before past the interval. */
function lateness(arrivals: readonly number[], from: number, to: number): number[] {
  const late: number[] = [];
  for (let i = 1; i < arrivals.length; i++) {
    const at = arrivals[i] as number;
    if (at < from || at > to) continue;
    late.push(Math.max(0, at - (arrivals[i - 1] as number) - INTERVAL_SECONDS * 1000));
  }
  return late;
}

function eventMs(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}

/** Workflow-task schedule-to-start (ms) in the window, over the histories of some workflows. */
async function scheduleToStart(
  lab: BenchLab,
  workflowIds: readonly string[],
  from: number,
  to: number,
): Promise<number[]> {
  const delays: number[] = [];
  await pool(workflowIds, 8, async (id) => {
    const history = await lab.temporal.workflow.getHandle(id).fetchHistory();
    const scheduled = new Map<string, number>();
    for (const event of history.events ?? []) {
      const at = eventMs(event.eventTime);
      if (event.workflowTaskScheduledEventAttributes) scheduled.set(String(event.eventId), at);
      const started = event.workflowTaskStartedEventAttributes;
      if (started) {
        const when = scheduled.get(String(started.scheduledEventId));
        if (when !== undefined && when >= from && when <= to) delays.push(at - when);
      }
    }
  });
  return delays;
}

function pids(lab: BenchLab, worker: number | undefined): { worker: number; temporal: number } {
  const temporal = lab.lab.pid('temporal');
  if (worker === undefined || temporal === undefined) throw new Error('the worker or Temporal has no pid');
  return { worker, temporal };
}

/** Samples the window and turns what the endpoint saw into figures. */
async function measureWindow(
  lab: BenchLab,
  keys: readonly string[],
  workerPid: number | undefined,
  windowSeconds: number,
  workflowIds: () => Promise<string[]>,
): Promise<LoadFigures> {
  const { worker, temporal } = pids(lab, workerPid);
  const sampler = new ProcessSampler([worker, temporal]);
  const from = Date.now();
  sampler.begin();
  await new Promise((r) => setTimeout(r, windowSeconds * 1000));
  const stats = sampler.end();
  const to = Date.now();
  const late = keys.flatMap((key) => lateness(lab.metrics.arrivals.get(key) ?? [], from, to));
  const count = keys.reduce(
    (sum, key) => sum + (lab.metrics.arrivals.get(key) ?? []).filter((t) => t >= from && t <= to).length,
    0,
  );
  const sampled = (await workflowIds()).slice(0, 60);
  return {
    workerCpuPercent: stats.get(worker)?.cpuPercent ?? Number.NaN,
    workerMaxRssMiB: stats.get(worker)?.maxRssMiB ?? Number.NaN,
    temporalCpuPercent: stats.get(temporal)?.cpuPercent ?? Number.NaN,
    lateness: summarize(late),
    measurementsPerSecond: count / ((to - from) / 1000),
    scheduleToStart: summarize(await scheduleToStart(lab, sampled, from, to)),
  };
}

async function runningIds(lab: BenchLab, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of lab.temporal.workflow.list({
    query: `${query} AND ExecutionStatus = 'Running'`,
  }))
    ids.push(execution.workflowId);
  return ids;
}

async function terminateAll(lab: BenchLab, query: string): Promise<void> {
  const ids = await runningIds(lab, query);
  await pool(ids, 32, (id) =>
    lab.temporal.workflow
      .getHandle(id)
      .terminate('bench: load done')
      .catch(() => undefined),
  );
}

/** N rollouts, then N bare workflows, each measured over `windowSeconds`. */
export async function scale(lab: BenchLab, n: number, windowSeconds: number): Promise<ScaleResult> {
  const names = Array.from({ length: n }, (_, i) => rolloutName(i));
  const steps = Array.from({ length: 20 }, () => ({ pause: { duration: '30s' } }));
  const objects = [
    sharedAnalysisTemplate(TEMPLATE, lab.metrics.url, INTERVAL_SECONDS),
    ...names.flatMap((name) =>
      rolloutObjects({ name, steps, router: false, sharedAnalysis: { template: TEMPLATE, key: name } }),
    ),
  ];
  const file = path.join(lab.lab.paths.dir, 'manifests', `scale-${n}.yaml`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, toYaml(objects));

  // `rollouts apply -f` of one file with all of them, as a user would.
  const applyStarted = Date.now();
  await lab.rollouts.applyFiles([file]);
  const applySeconds = (Date.now() - applyStarted) / 1000;
  await waitAll(lab, n, (phase) => phase === 'Healthy', 'Healthy');

  const listStarted = Date.now();
  const listed = await lab.rollouts.list(BENCH_NAMESPACE);
  const listSeconds = (Date.now() - listStarted) / 1000;
  if (listed.length < n) throw new Error(`rollouts list showed ${listed.length} of ${n} rollouts`);

  // A new image to all: each runs its steps (timed pauses) under a background analysis.
  await pool(names, CONCURRENCY, (name) => lab.rollouts.setImage(BENCH_NAMESPACE, name, 'app', `${IMAGE}:2`));
  await waitAll(lab, n, (phase) => phase === 'Paused' || phase === 'Progressing', 'in their steps');
  // One interval for every analysis to have measured once before the window opens.
  await new Promise((r) => setTimeout(r, INTERVAL_SECONDS * 1000 + 2000));
  const rolloutQuery = `WorkflowId STARTS_WITH 'rollout:${BENCH_NAMESPACE}/s-'`;
  const rollout = await measureWindow(lab, names, lab.lab.pid('worker'), windowSeconds, () =>
    runningIds(lab, rolloutQuery),
  );
  await terminateAll(lab, rolloutQuery);

  // The bare twin: the same N, the same measurement every interval, no logic.
  const floorPid = await lab.floorWorkerPid();
  const bareKeys = names.map((name) => `bare-${name}`);
  const measurements = Math.ceil((windowSeconds + 3 * INTERVAL_SECONDS) / INTERVAL_SECONDS) + 2;
  await pool(bareKeys, CONCURRENCY, (key) =>
    lab.temporal.workflow.start<typeof bareRolloutWorkflow>('bareRolloutWorkflow', {
      workflowId: `bench-bare:${key}:${Date.now()}`,
      taskQueue: FLOOR_TASK_QUEUE,
      args: [{ url: lab.metrics.urlFor(key), intervalSeconds: INTERVAL_SECONDS, measurements }],
    }),
  );
  await new Promise((r) => setTimeout(r, INTERVAL_SECONDS * 1000 + 2000));
  const bareQuery = `WorkflowId STARTS_WITH 'bench-bare:'`;
  const bare = await measureWindow(lab, bareKeys, floorPid, windowSeconds, () => runningIds(lab, bareQuery));
  await terminateAll(lab, bareQuery);
  return { n, windowSeconds, applySeconds, listSeconds, rollout, bare };
}

/** Waits until `n` rollouts of the bench namespace are in a phase that `ok` accepts. */
async function waitAll(
  lab: BenchLab,
  n: number,
  ok: (phase: string) => boolean,
  what: string,
): Promise<void> {
  const deadline = Date.now() + Math.max(120_000, n * 300);
  let done = 0;
  let failure = '';
  for (;;) {
    try {
      const statuses = await lab.rollouts.list(BENCH_NAMESPACE);
      done = statuses.filter((s) => s.name.startsWith('s-') && ok(s.phase)).length;
      if (done >= n) return;
    } catch (err) {
      // A workflow whose first task has not run yet has no summary, and its status query can time
      // out under the load being applied: look again.
      failure = ` (last list: ${(err as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`scale ${n}: only ${done} of ${n} rollouts ${what}${failure}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
