// Scenario 8 of the fault suite: every workflow history a scenario produced (rollouts and AnalysisRuns,
// every run of a continued-as-new chain, the crashed and retried workflow tasks included) replays against
// the current workflow code before the scenario passes. With RECORD_HISTORIES=1 they are also saved
// under test/fixtures/histories/faults/<scenario>/, where test/replay replays them on every build: a
// change that would break a rollout in flight fails there.
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { Lab } from '../../support/lab.js';
import { historiesDir, testOutput } from '../../support/paths.js';
import { workflowBundle } from '../../support/temporal-env.js';
import { ROLLOUT_WORKFLOW_ID_PREFIX } from '../../../workflows/messages.js';

export interface ReplayReport {
  histories: number;
  events: number;
  /** "workflowId/runId: error", one per history that did not replay. */
  failures: string[];
  /** "workflowId: CAUSE: message", one per failed workflow task a worker reported (see taskFailures). */
  taskFailures: string[];
  saved: number;
}

const { WorkflowTaskFailedCause } = temporal.api.enums.v1;
/** Failed workflow tasks that are part of normal life: a signal or update came in while the task ran. */
const ORDINARY_TASK_FAILURES = new Set<number>([
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
]);

/** Every workflow task a worker failed for a reason of its own (a nondeterminism, a thrown error). */
function taskFailures(workflowId: string, history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((event) => {
    const failed = event.workflowTaskFailedEventAttributes;
    if (!failed || ORDINARY_TASK_FAILURES.has(failed.cause ?? 0)) return [];
    const cause = WorkflowTaskFailedCause[failed.cause ?? 0] ?? String(failed.cause);
    return [
      `${workflowId}: ${cause.replace('WORKFLOW_TASK_FAILED_CAUSE_', '')}: ${failed.failure?.message ?? ''}`,
    ];
  });
}

/** Keep at most this many histories per scenario in the repository (the replay test reads them all). */
const SAVE_LIMIT = 12;

export async function replayLabHistories(lab: Lab, scenario: string): Promise<ReplayReport> {
  const connection = await Connection.connect({ address: lab.url('TEMPORAL_ADDRESS') });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const histories: LabHistory[] = [];
    for await (const execution of client.workflow.list()) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories.push({ workflowId: execution.workflowId, runId: execution.runId, history });
    }
    const failures: string[] = [];
    const results = Worker.runReplayHistories(
      { workflowBundle: await workflowBundle(), replayName: scenario },
      histories.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    for await (const result of results) {
      if (!result.error) continue;
      failures.push(`${result.workflowId}/${result.runId}: ${result.error.message}`);
      const failed = histories.find((h) => h.workflowId === result.workflowId && h.runId === result.runId);
      if (failed) keepUnreplayable(scenario, failed);
    }
    const saved = process.env.RECORD_HISTORIES ? save(scenario, histories) : 0;
    return {
      histories: histories.length,
      events: histories.reduce((n, h) => n + (h.history.events?.length ?? 0), 0),
      failures,
      taskFailures: histories.flatMap(({ workflowId, history }) => taskFailures(workflowId, history)),
      saved,
    };
  } finally {
    await connection.close();
  }
}

/**
 * One line for a scenario's summary, with the first failure's reason: a CI log shows the summary, not
 * the scenario's own log, and a history that did not replay is the one fault that must never pass.
 */
export function replaySummary(replay: ReplayReport | undefined): string {
  if (!replay) return 'histories not replayed';
  let line = `replayed ${replay.histories} histories (${replay.events} events), ${replay.failures.length} failed`;
  if (replay.failures.length) line += `; first: ${replay.failures[0]?.slice(0, 600)}`;
  if (replay.taskFailures.length)
    line += `; ${replay.taskFailures.length} workflow tasks failed, first: ${replay.taskFailures[0]?.slice(0, 600)}`;
  return line;
}

/** A history that did not replay, kept under test-output for `temporal workflow show` or a replay test. */
function keepUnreplayable(scenario: string, entry: LabHistory): void {
  const dir = path.join(testOutput, 'faults', 'unreplayable', scenario);
  fs.mkdirSync(dir, { recursive: true });
  writeHistory(dir, entry);
}

type LabHistory = { workflowId: string; runId: string; history: temporal.api.history.v1.IHistory };

/** One history as a .binpb file named after its workflow and run, as test/replay reads them. */
function writeHistory(dir: string, { workflowId, runId, history }: LabHistory): void {
  const name = `${workflowId.replace(/[^A-Za-z0-9.-]+/g, '_')}-${runId.slice(0, 8)}.binpb`;
  fs.writeFileSync(path.join(dir, name), temporal.api.history.v1.History.encode(history).finish());
}

function save(scenario: string, histories: LabHistory[]): number {
  const dir = path.join(historiesDir, 'faults', scenario);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  // The rollouts first (their histories carry the faults), then AnalysisRuns; the longest of each first.
  const ranked = [...histories].sort(
    (a, b) =>
      Number(b.workflowId.startsWith(ROLLOUT_WORKFLOW_ID_PREFIX)) -
        Number(a.workflowId.startsWith(ROLLOUT_WORKFLOW_ID_PREFIX)) ||
      (b.history.events?.length ?? 0) - (a.history.events?.length ?? 0),
  );
  const chosen = ranked.slice(0, SAVE_LIMIT);
  for (const entry of chosen) writeHistory(dir, entry);
  return chosen.length;
}
