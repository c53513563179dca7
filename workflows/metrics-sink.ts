// What the workflows tell the worker's metrics (worker/metrics), through Temporal sinks: calls out of the
// workflow that are no commands, so histories do not change and nothing needs patched(). Only a worker
// that serves metrics registers the sinks, and it also bundles this module as a workflow interceptor
// module, whose factory turns the calls on: a worker without them (the tests', the replay check's)
// never makes one, instead of logging an unregistered sink at each.
//
// The replay rule: a state (the rollout's phase and replicas, a run's phases: gauges) is sent during
// replay too, since sending it again sets the same value and a restarted worker learns it from the
// replay; an event (a step's or a run's duration, a measurement's lateness: histograms) is sent only
// when it happens live (callDuringReplay false), so a replayed history never counts twice.
import {
  CancellationScope,
  condition,
  proxySinks,
  type Sinks,
  type WorkflowInterceptors,
} from '@temporalio/workflow';
import { argoRolloutStatus } from '../core/argo-status.js';
import type {
  AnalysisPhase,
  AnalysisRunStatus,
  AnalysisSpec,
  MetricProvider,
} from '../core/analysis/types.js';
import type { RolloutPhase } from '../core/status.js';
import type { CanaryStep } from '../core/types.js';
import type { RolloutState } from './state.js';

/** A rollout as it is now: what Argo's rollout_info and rollout_info_replicas_* are made of. */
export interface RolloutSample {
  namespace: string;
  name: string;
  /** Ours: Healthy, Progressing, Paused, Degraded. */
  phase: RolloutPhase;
  /** The conditions of the status in Argo's shape (core/argo-status.ts), type and reason only. */
  conditions: { type: string; reason: string }[];
  /** Argo's name of the router, '' without one. */
  trafficRouter: string;
  /** Argo's status counts: status.replicas, availableReplicas, updatedReplicas; spec.replicas. */
  replicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  desiredReplicas: number;
}

/** An AnalysisRun as it is now: analysis_run_info, analysis_run_metric_*. */
export interface AnalysisRunSample {
  namespace: string;
  /** The AnalysisRun object's base name when the run is mirrored into one; absent otherwise. */
  objectName?: string;
  /** The run's templates (spec.name). */
  analysis: string;
  phase: AnalysisPhase;
  metrics: { name: string; type: string; dryRun: boolean; phase: AnalysisPhase }[];
}

export interface RolloutMetricsSinks extends Sinks {
  rolloutMetrics: {
    /** A state: replayed too. */
    rollout(sample: RolloutSample): void;
    /** A step left (to the next, or the revision ended however it did): live only. */
    stepEnded(step: { namespace: string; name: string; kind: CanaryStep['kind']; seconds: number }): void;
  };
  analysisMetrics: {
    /** A state: replayed too. */
    run(sample: AnalysisRunSample): void;
    /** A measurement's activity is being scheduled, `latenessSeconds` after it was due: live only. */
    measurementStarted(m: { namespace: string; metric: string; latenessSeconds: number }): void;
    /** The run ended (not continued as new), `seconds` after it began: live only. */
    runEnded(run: { namespace: string; analysis: string; phase: AnalysisPhase; seconds: number }): void;
  };
}

let enabled = false;

/** The workflow interceptor factory the metrics worker bundles: it turns the sink calls on. */
export const interceptors = (): WorkflowInterceptors => {
  enabled = true;
  return {};
};

const sinks = proxySinks<RolloutMetricsSinks>();

function metricsSinks(): RolloutMetricsSinks | undefined {
  return enabled ? sinks : undefined;
}

const EPOCH = new Date(0).toISOString();

const since = (from: number): number => Math.max(0, (Date.now() - from) / 1000);

/** Argo's metricproviders.Type. */
export function providerType(provider: MetricProvider): string {
  if (provider.prometheus) return 'Prometheus';
  if (provider.web) return 'Web';
  return 'Unknown Provider';
}

/**
 * The rollout's gauges whenever their sample changes, and how long each canary step took: looked at
 * once each workflow task's code has run (a condition, as the list summary's memo), since not every
 * change goes through the controller (a delayed scale-down changes the replicas by itself). Only on a
 * worker that registered the sinks.
 */
export function startRolloutMetrics(state: RolloutState): void {
  const sink = metricsSinks()?.rolloutMetrics;
  if (!sink) return;
  let reported: string | undefined;
  let step: { key: string | undefined; kind?: CanaryStep['kind']; at: number } = { key: undefined, at: 0 };
  // Metrics must never fail a workflow task: a state they cannot be read from reports nothing.
  const now = () => {
    try {
      const sample = sampleOf(state);
      return { sample, text: JSON.stringify(sample), step: stepKey(state) };
    } catch {
      return undefined;
    }
  };
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => {
        const seen = now();
        return seen !== undefined && (seen.text !== reported || seen.step !== step.key);
      });
      const seen = now();
      if (!seen) continue;
      const { sample, text, step: stepNow } = seen;
      if (text !== reported) sink.rollout(sample);
      reported = text;
      // A step lasts from when the rollout reaches it until it moves on, or the revision ends.
      if (stepNow === step.key) continue;
      if (step.kind !== undefined)
        sink.stepEnded({
          namespace: sample.namespace,
          name: sample.name,
          kind: step.kind,
          seconds: since(step.at),
        });
      const index = state.data.currentStepIndex ?? 0;
      const kind = stepNow !== undefined ? state.definition.canary.steps[index]?.kind : undefined;
      step = { key: stepNow, ...(kind !== undefined ? { kind } : {}), at: Date.now() };
    }
  });
}

function sampleOf(state: RolloutState): RolloutSample {
  const def = state.definition;
  const status = state.status();
  // Only the conditions' reasons are read: a fixed time for those without one keeps them all in.
  const argo = argoRolloutStatus(status, def, { generation: 0, stepHash: '', observedAt: EPOCH });
  return {
    namespace: def.namespace,
    name: def.name,
    phase: status.phase,
    conditions: (argo.conditions ?? []).map((c) => ({ type: c.type, reason: c.reason })),
    trafficRouter: def.canary.trafficRouting ? 'Istio' : '',
    replicas: argo.replicas ?? 0,
    availableReplicas: argo.availableReplicas ?? 0,
    updatedReplicas: argo.updatedReplicas ?? 0,
    desiredReplicas: def.replicas,
  };
}

/** `<revision>:<step index>` while a canary step runs; undefined otherwise. */
function stepKey(state: RolloutState): string | undefined {
  const index = state.data.currentStepIndex;
  const running =
    state.canaryInProgress &&
    !state.data.aborted &&
    index !== null &&
    index < state.definition.canary.steps.length;
  return running ? `${state.desired.number}:${index}` : undefined;
}

/** An AnalysisRun's gauges at each change, each measurement's lateness, and the run's duration. */
export class AnalysisMetricsReporter {
  private last?: string;

  constructor(
    private readonly spec: AnalysisSpec,
    private readonly objectName?: string,
  ) {}

  report(status: AnalysisRunStatus): void {
    const sink = metricsSinks()?.analysisMetrics;
    if (!sink) return;
    try {
      this.send(sink, status);
    } catch {
      // metrics must never fail a workflow task
    }
  }

  private send(sink: RolloutMetricsSinks['analysisMetrics'], status: AnalysisRunStatus): void {
    const sample: AnalysisRunSample = {
      namespace: this.spec.namespace,
      ...(this.objectName !== undefined ? { objectName: this.objectName } : {}),
      analysis: this.spec.name,
      phase: status.phase,
      metrics: this.spec.metrics.map((metric, i) => ({
        name: metric.name,
        type: providerType(metric.provider),
        dryRun: metric.dryRun,
        phase: status.metrics[i]?.phase ?? 'Pending',
      })),
    };
    const text = JSON.stringify(sample);
    if (text !== this.last) sink.run(sample);
    this.last = text;
  }

  /** Just before the measure activity is scheduled; `due` is when the measurement was due (epoch ms). */
  measuring(metric: string, due: number): void {
    metricsSinks()?.analysisMetrics.measurementStarted({
      namespace: this.spec.namespace,
      metric,
      latenessSeconds: since(due),
    });
  }

  /** The run's final status, once it ends for good (`startedAt`: its first run's start, epoch ms). */
  ended(final: AnalysisRunStatus, startedAt: number): void {
    this.report(final);
    metricsSinks()?.analysisMetrics.runEnded({
      namespace: this.spec.namespace,
      analysis: this.spec.name,
      phase: final.phase,
      seconds: since(startedAt),
    });
  }
}
