// Starting AnalysisRuns for a rollout (background from `startingStep`, or an inline `analysis` step)
// as child workflows, and remembering them for the status. The runs' live metrics are read by the
// client straight from each child's `status` query, so measurements never flood this history; a
// rollout driven by its Rollout object gives each run the AnalysisRun object it mirrors itself into.
import { patched, startChild, workflowInfo } from '@temporalio/workflow';
import { resolveAnalysis } from '../core/analysis/resolve.js';
import type { AnalysisRunStatus } from '../core/analysis/types.js';
import type { AnalysisRunTarget } from '../core/cluster/analysis-run-object.js';
import type { AnalysisRunRef } from '../core/status.js';
import type { RolloutAnalysis } from '../core/types.js';
import { analysisRunWorkflow } from './analysis-run.js';
import { analysisRunWorkflowId, terminateAnalysisSignal } from './messages.js';
import { ANALYSIS_RULES_AS_ARGO } from './patches.js';
import type { Revision, RolloutState } from './state.js';

/** How many finished runs the status keeps. */
const KEPT_RUNS = 6;

export interface RunningAnalysis {
  ref: AnalysisRunRef;
  /** Settles with the run's final status (never rejects: a failed child is an Error run). */
  result: Promise<AnalysisRunStatus>;
  /** Set once `result` has settled. */
  final?: AnalysisRunStatus;
  terminate(): Promise<void>;
}

export async function startAnalysis(
  state: RolloutState,
  rev: Revision,
  kind: AnalysisRunRef['kind'],
  analysis: RolloutAnalysis,
  stepIndex?: number,
): Promise<RunningAnalysis> {
  const def = state.definition;
  const spec = resolveAnalysis(
    analysis.templates,
    analysis.args,
    {
      rollout: def,
      templates: def.analysisTemplates ?? [],
      ...(state.stable ? { stableHash: state.stable.hash } : {}),
      canaryHash: rev.hash,
      // Runs begun before matched dryRun and measurementRetention names exactly.
      ...(patched(ANALYSIS_RULES_AS_ARGO) ? {} : { rulesMatchedExactly: true }),
    },
    analysis.rules,
  );
  state.data.analysisCounter = (state.data.analysisCounter ?? 0) + 1;
  const workflowId = analysisRunWorkflowId(def.namespace, def.name, rev.number, state.data.analysisCounter);
  const ref: AnalysisRunRef = {
    workflowId,
    name: spec.name,
    kind,
    revision: rev.number,
    ...(stepIndex !== undefined ? { stepIndex } : {}),
    phase: 'Running',
  };
  state.data.analysisRuns = [...(state.data.analysisRuns ?? []), ref].slice(-KEPT_RUNS);
  // Driven by a Rollout object: the run mirrors itself into an AnalysisRun object it owns. Only the
  // child's input changes, so the rollout's own histories replay as they ran.
  const cluster = state.data.cluster;
  const object: AnalysisRunTarget | undefined = cluster
    ? {
        rollout: def.name,
        uid: cluster.uid,
        selector: { ...def.selector.matchLabels },
        podHash: rev.hash,
        revision: rev.number,
        kind,
        ...(stepIndex !== undefined ? { stepIndex } : {}),
      }
    : undefined;
  const child = await startChild(analysisRunWorkflow, {
    workflowId,
    args: [{ spec, ...(object ? { object } : {}) }],
    taskQueue: workflowInfo().taskQueue,
  });
  const running: RunningAnalysis = {
    ref,
    result: child.result().then(
      (status) => status,
      (err: unknown): AnalysisRunStatus => ({
        name: spec.name,
        phase: 'Error',
        message: `the AnalysisRun failed: ${(err as Error).message}`,
        metrics: [],
        startedAt: new Date().toISOString(),
      }),
    ),
    terminate: async () => {
      if (running.final) return;
      // It may finish between our look and the signal: then there is nothing left to end.
      await child.signal(terminateAnalysisSignal).catch(() => undefined);
    },
  };
  void running.result.then((status) => {
    running.final = status;
    ref.phase = status.phase;
    if (status.message) ref.message = status.message;
  });
  return running;
}

/** The abort message for a run that ended Failed or Error. */
export function analysisAbortMessage(status: AnalysisRunStatus): string {
  return `analysis ${status.name} ${status.phase}: ${status.message ?? 'no reason given'}`;
}
