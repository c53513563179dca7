// The worker's end of workflows/metrics-sink.ts: each sink call into the metrics. callDuringReplay as
// the rule there says: true for the states (gauges), false for the events (histograms).
import type { InjectedSinks } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { RolloutMetricsSinks } from '../../workflows/metrics-sink.js';
import type { WorkerMetrics } from './catalog.js';
import type { RolloutGauges } from './rollout-gauges.js';
import { runOrigin, type RunGauges } from './run-gauges.js';

/** One workflow across continue-as-new: its id and its first run's. */
function workflowOf(info: WorkflowInfo): string {
  return `${info.workflowId}@${info.firstExecutionRunId}`;
}

const replaying = (info: WorkflowInfo): boolean => info.unsafe.isReplayingHistoryEvents;

export function metricsSinks(
  metrics: WorkerMetrics,
  rollouts: RolloutGauges,
  runs: RunGauges,
): InjectedSinks<RolloutMetricsSinks> {
  const rolloutOf = (info: WorkflowInfo) => runOrigin(info.workflowId, info.parent?.workflowId).rollout;
  return {
    rolloutMetrics: {
      rollout: {
        fn: (info, sample) => rollouts.report(workflowOf(info), sample, replaying(info)),
        callDuringReplay: true,
      },
      stepEnded: {
        fn: (_info, step) =>
          metrics.stepDuration.observe(
            { namespace: step.namespace, name: step.name, kind: step.kind },
            step.seconds,
          ),
        callDuringReplay: false,
      },
    },
    analysisMetrics: {
      run: {
        fn: (info, sample) =>
          runs.report(
            workflowOf(info),
            runOrigin(info.workflowId, info.parent?.workflowId),
            sample,
            replaying(info),
          ),
        callDuringReplay: true,
      },
      measurementStarted: {
        fn: (info, m) =>
          metrics.measurementLateness.observe(
            { namespace: m.namespace, rollout: rolloutOf(info), metric: m.metric },
            m.latenessSeconds,
          ),
        callDuringReplay: false,
      },
      runEnded: {
        fn: (info, run) =>
          metrics.analysisRunDuration.observe(
            { namespace: run.namespace, rollout: rolloutOf(info), analysis: run.analysis, phase: run.phase },
            run.seconds,
          ),
        callDuringReplay: false,
      },
    },
  };
}
