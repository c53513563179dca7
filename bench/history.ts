// History (issue 13, item 3): what a rollout costs in history events, read from the histories the
// latency bench made: events per step (a promote's setWeight and pause), events per measurement of an
// AnalysisRun, and the longest runs the lab saw, ended by continue-as-new or still running.
import type { BenchLab } from './bench-lab.js';

type Events = NonNullable<
  Awaited<ReturnType<ReturnType<BenchLab['temporal']['workflow']['getHandle']>['fetchHistory']>>['events']
>;

async function events(lab: BenchLab, workflowId: string): Promise<Events> {
  return (await lab.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** Events between the first and the last of the marked events, per interval between them. */
function perInterval(all: Events, marks: (event: Events[number]) => boolean): number | undefined {
  const at = all.map((e, i) => (marks(e) ? i : -1)).filter((i) => i >= 0);
  if (at.length < 2) return undefined;
  return ((at.at(-1) as number) - (at[0] as number)) / (at.length - 1);
}

export interface HistoryFigures {
  eventsPerStep?: number;
  eventsPerMeasurement?: number;
  /** The most events in one run that continued as new (undefined when none did). */
  largestContinuedRun?: { events: number; bytes?: number; workflowId: string };
  /** History events an idle (Healthy) rollout adds per hour, over the idle window. */
  idleEventsPerHour?: number;
  /**
   * Kubernetes requests the worker's activities made per minute over the idle window, from its
   * metrics (controller_clientset_k8s_request_total): every rollout of the lab is idle then, so this
   * bounds one idle rollout's from above.
   */
  idleRequestsPerMinute?: number;
  idleSeconds?: number;
  /** The most events in one run still open. */
  largestOpenRun?: { events: number; bytes?: number; workflowId: string };
}

/** The worker's count of Kubernetes requests so far (its /metrics), or undefined without metrics. */
export async function workerRequests(lab: BenchLab): Promise<number | undefined> {
  const url = lab.lab.env.WORKER_METRICS_URL;
  if (!url) return undefined;
  const text = await (await fetch(url)).text();
  let total = 0;
  for (const line of text.split('\n'))
    if (line.startsWith('controller_clientset_k8s_request_total')) total += Number(line.split(' ').at(-1));
  return total;
}

/** A Healthy rollout left alone for `seconds`: the events its history gained per hour, and the requests. */
async function idleEvents(lab: BenchLab, seconds: number): Promise<{ events: number; requests?: number }> {
  const name = 'idle';
  await lab.applyRollout({ name, steps: [{ setWeight: 50 }, { pause: {} }] });
  const handle = lab.temporal.workflow.getHandle(`rollout:bench/${name}`);
  for (let i = 0; (await lab.rollouts.status('bench', name)).phase !== 'Healthy'; i++) {
    if (i > 600) throw new Error('the idle rollout did not become Healthy within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000)); // its last writes settle
  const before = (await handle.describe()).historyLength;
  const requestsBefore = await workerRequests(lab);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const requestsAfter = await workerRequests(lab);
  const after = (await handle.describe()).historyLength;
  const events = ((after - before) * 3600) / seconds;
  if (requestsBefore === undefined || requestsAfter === undefined) return { events };
  return { events, requests: ((requestsAfter - requestsBefore) * 60) / seconds };
}

export async function historyFigures(
  lab: BenchLab,
  promotedRollout: string,
  measuredRollout: string,
  idleSeconds: number,
): Promise<HistoryFigures> {
  const idle = await idleEvents(lab, idleSeconds);
  const figures: HistoryFigures = {
    idleEventsPerHour: idle.events,
    ...(idle.requests !== undefined ? { idleRequestsPerMinute: idle.requests } : {}),
    idleSeconds,
  };
  // Each promote (an accepted update) covers two steps: the setWeight it starts and the pause after.
  const promoted = await events(lab, `rollout:bench/${promotedRollout}`);
  const perPromote = perInterval(promoted, (e) => e.workflowExecutionUpdateAcceptedEventAttributes != null);
  if (perPromote !== undefined) figures.eventsPerStep = perPromote / 2;
  // The measured rollout's analysis runs: the longest one's events per `measure` activity.
  for await (const run of lab.temporal.workflow.list({
    query: `WorkflowId STARTS_WITH 'analysis:bench/${measuredRollout}:'`,
  })) {
    const measured = await events(lab, run.workflowId);
    const per = perInterval(
      measured,
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'measure',
    );
    if (
      per !== undefined &&
      (figures.eventsPerMeasurement === undefined || per < figures.eventsPerMeasurement)
    )
      figures.eventsPerMeasurement = per; // the steadiest run: no start-up or ending in between
  }
  for (const [key, status] of [
    ['largestContinuedRun', 'ContinuedAsNew'],
    ['largestOpenRun', 'Running'],
  ] as const) {
    for await (const run of lab.temporal.workflow.list({ query: `ExecutionStatus = '${status}'` })) {
      if (run.historyLength > (figures[key]?.events ?? 0))
        figures[key] = { events: run.historyLength, bytes: run.historySize, workflowId: run.workflowId };
    }
  }
  return figures;
}
