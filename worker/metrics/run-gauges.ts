// Each AnalysisRun's gauges (Argo's analysis_run_info, analysis_run_phase, analysis_run_metric_type and
// analysis_run_metric_phase), set from what its workflow reports. Finished runs stay, the last 5
// successful and 5 unsuccessful of each rollout (Argo's default history limits); a rollout that ended
// takes its runs with it.
import { DEFAULT_RUN_HISTORY_LIMITS } from '../../core/cluster/analysis-run-object.js';
import { parseRolloutWorkflowId } from '../../workflows/messages.js';
import type { AnalysisRunSample } from '../../workflows/metrics-sink.js';
import { ANALYSIS_PHASES, isFinished } from './argo-phase.js';
import type { WorkerMetrics } from './catalog.js';
import { Forgotten } from './forgotten.js';
import type { RolloutKey } from './rollout-gauges.js';

/** Which rollout a run is of, and the name its metrics carry when it has no object. */
export interface RunOrigin {
  rollout: string;
  /** `<rollout>:rev<N>:<k>`, from the workflow id (workflows/messages.ts analysisRunWorkflowId). */
  name: string;
}

const RUN_ID = /^analysis:([^/]+)\/(.+):(rev\d+):(\d+)$/;

/** A run's rollout and name from its workflow id, or failing that (a run started by hand) its parent's. */
export function runOrigin(workflowId: string, parentWorkflowId?: string): RunOrigin {
  const match = RUN_ID.exec(workflowId);
  if (match) return { rollout: match[2] ?? '', name: `${match[2]}:${match[3]}:${match[4]}` };
  return {
    rollout: (parentWorkflowId && parseRolloutWorkflowId(parentWorkflowId)?.name) ?? '',
    name: workflowId,
  };
}

interface Known {
  namespace: string;
  rollout: string;
  name: string;
  workflow: string;
  /** Set once finished: the order it finished in, and whether it was Successful. */
  finished?: { order: number; successful: boolean };
}

export class RunGauges {
  private readonly known = new Map<string, Known>();
  private readonly forgotten = new Forgotten();
  private finishedCount = 0;

  constructor(private readonly metrics: WorkerMetrics) {}

  /** What a run's workflow (`workflow`: its id and first run id) reported; `replaying` as the sink says. */
  report(workflow: string, origin: RunOrigin, sample: AnalysisRunSample, replaying: boolean): void {
    if (this.forgotten.ignores(workflow, replaying)) return;
    const name = sample.objectName ?? origin.name;
    const { namespace } = sample;
    const k = `${namespace}/${name}`;
    const m = this.metrics;
    this.clear(namespace, name);
    m.analysisRunInfo.set({ namespace, name, phase: sample.phase }, 1);
    for (const phase of ANALYSIS_PHASES)
      m.analysisRunPhase.set({ namespace, name, phase }, phase === sample.phase ? 1 : 0);
    for (const metric of sample.metrics) {
      const labels = { namespace, name, metric: metric.name, type: metric.type };
      m.analysisRunMetricType.set(labels, 1);
      for (const phase of ANALYSIS_PHASES)
        m.analysisRunMetricPhase.set(
          { ...labels, dry_run: String(metric.dryRun), phase },
          phase === metric.phase ? 1 : 0,
        );
    }
    const before = this.known.get(k);
    const finished = isFinished(sample.phase)
      ? (before?.finished ?? { order: ++this.finishedCount, successful: sample.phase === 'Successful' })
      : undefined;
    this.known.set(k, {
      namespace,
      rollout: origin.rollout,
      name,
      workflow,
      ...(finished ? { finished } : {}),
    });
    if (finished) this.prune(namespace, origin.rollout);
  }

  /** The rollout's workflow no longer runs: its runs go too. */
  removeRollout(rollout: RolloutKey): void {
    for (const known of [...this.known.values()])
      if (known.namespace === rollout.namespace && known.rollout === rollout.name) this.forget(known);
  }

  /** Beyond the history limits, the oldest finished runs of the rollout go. */
  private prune(namespace: string, rollout: string): void {
    const finished = [...this.known.values()]
      .filter((k) => k.namespace === namespace && k.rollout === rollout && k.finished)
      .sort((a, b) => (b.finished?.order ?? 0) - (a.finished?.order ?? 0));
    const successful = finished.filter((k) => k.finished?.successful);
    const unsuccessful = finished.filter((k) => !k.finished?.successful);
    for (const old of [
      ...successful.slice(DEFAULT_RUN_HISTORY_LIMITS.successful),
      ...unsuccessful.slice(DEFAULT_RUN_HISTORY_LIMITS.unsuccessful),
    ])
      this.forget(old);
  }

  private forget(known: Known): void {
    this.clear(known.namespace, known.name);
    this.known.delete(`${known.namespace}/${known.name}`);
    this.forgotten.add(known.workflow);
  }

  private clear(namespace: string, name: string): void {
    const m = this.metrics;
    for (const gauge of [
      m.analysisRunInfo,
      m.analysisRunPhase,
      m.analysisRunMetricType,
      m.analysisRunMetricPhase,
    ])
      gauge.removeMatching({ namespace, name });
  }
}
