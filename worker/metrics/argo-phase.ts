// The phases Argo's controller metrics put in their labels: a rollout's calculatePhase
// (controller/metrics/rollouts.go), which reads the Progressing condition's reason and InvalidSpec, and
// the AnalysisRun phases its deprecated gauges enumerate (controller/metrics/analysis.go). Pure.
import type { AnalysisPhase } from '../../core/analysis/types.js';

export type ArgoMetricPhase =
  'Completed' | 'Progressing' | 'Paused' | 'Timeout' | 'Error' | 'Abort' | 'InvalidSpec';

/** What rollout_phase (deprecated) has a series of, each rollout's 1 and the others 0: InvalidSpec has none. */
export const ROLLOUT_PHASES: readonly ArgoMetricPhase[] = [
  'Completed',
  'Progressing',
  'Paused',
  'Timeout',
  'Error',
  'Abort',
];

/** What analysis_run_phase and analysis_run_metric_phase (deprecated) have a series of. */
export const ANALYSIS_PHASES: readonly AnalysisPhase[] = [
  'Pending',
  'Error',
  'Failed',
  'Successful',
  'Running',
  'Inconclusive',
];

/** A run's phase that ends it. */
export function isFinished(phase: AnalysisPhase): boolean {
  return phase === 'Successful' || phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
}

const BY_PROGRESSING_REASON: Record<string, ArgoMetricPhase> = {
  NewReplicaSetAvailable: 'Completed',
  RolloutPaused: 'Paused',
  ReplicaSetCreateError: 'Error',
  ProgressDeadlineExceeded: 'Timeout',
  RolloutAborted: 'Abort',
};

/** calculatePhase, from the conditions of a status in Argo's shape. */
export function argoMetricPhase(conditions: readonly { type: string; reason: string }[]): ArgoMetricPhase {
  if (conditions.some((c) => c.type === 'InvalidSpec')) return 'InvalidSpec';
  const progressing = conditions.find((c) => c.type === 'Progressing');
  return (progressing && BY_PROGRESSING_REASON[progressing.reason]) ?? 'Progressing';
}
